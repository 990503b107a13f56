"""/trend and /overzicht in the private chat: charts and the latest state per district."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatAction, ParseMode

from handlers.checkins.charts import TREND_PER_IMAGE, pages, trend_png
from handlers.checkins.render import counts_line
from handlers.common import (
    actor_of,
    arguments,
    note_refused,
    refusal,
    reply,
    reply_lines,
    unquote,
)
from handlers.context import BotContext
from handlers.i18n import number, t, tn
from handlers.meetings.render import cadence_lines
from handlers.render import local_time
from services.insight import DistrictState, Overview
from services.outcomes import Denied, UnknownDistrict

# The insight commands (export and audit included): figures and files stay in private chats.
PRIVATE_COMMANDS = ["export", "trend", "overzicht", "audit"]


async def private_only(update: Update, context: BotContext) -> None:
    """In a group: one line pointing to the private chat (figures and files stay there)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].lstrip("/").split("@")[0]
    await reply(message, t("insight.private_only", context.language, command=command))


# --- /trend ---


async def trend(update: Update, context: BotContext) -> None:
    """Send the trend charts of the districts one may see, or of the one named."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    outcome = await services.insight.trend(actor, unquote(arguments(context)) or None)
    if isinstance(outcome, Denied | UnknownDistrict):
        if isinstance(outcome, Denied):
            await note_refused(update, context, "/trend")
        await reply(message, refusal(outcome, lang))
        return
    if not outcome.districts:
        await reply(message, t("insight.trend.no_data", lang))
        return
    await context.bot.send_chat_action(message.chat_id, ChatAction.UPLOAD_PHOTO)
    parts = pages(outcome.districts, TREND_PER_IMAGE)
    for page, part in enumerate(parts, 1):
        png = await asyncio.to_thread(trend_png, part, services.tz, lang)
        caption = t(
            "insight.trend.caption",
            lang,
            districts=", ".join(d.district for d in part),
            page=page,
            pages=len(parts),
        )
        await message.reply_photo(png, caption=caption, parse_mode=ParseMode.HTML)
    if outcome.left_out:
        await reply(message, tn("insight.trend.left_out", outcome.left_out, lang))


# --- /overzicht ---


async def overzicht(update: Update, context: BotContext) -> None:
    """The latest state of each district one may see, in one message (more if it is long)."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    outcome = await services.insight.overview(actor)
    if isinstance(outcome, Denied):
        await note_refused(update, context, "/overzicht")
        await reply(message, refusal(outcome, lang))
        return
    if not outcome.districts:
        await reply(message, t("insight.overview.no_districts", lang))
        return
    lines = overview_lines(outcome, services.tz, lang)
    # The meeting cadence belongs to the same picture of the districts: last and next meal.
    cadence = await services.meetings.cadence.cadence(actor)
    if not isinstance(cadence, Denied) and cadence:
        days = services.meetings.cadence.cadence_days
        lines += ["", *cadence_lines(cadence, days, services.tz, lang)]
    await reply_lines(message, lines)


def median_text(median: float | None, language: str | None) -> str:
    """'2,5', or '3 (Onrust)' when it falls on a level; '–' without ranked answers."""
    if median is None:
        return "–"
    if median == int(median):
        return f"{int(median)} ({t(f'scale.{int(median)}', language)})"
    return number(median, language)


def district_lines(state: DistrictState, tz: ZoneInfo, language: str | None) -> list[str]:
    """One district's block of /overzicht."""
    lines = [tn("insight.overview.district", state.key_figures, language, district=state.district)]
    last = state.last
    if last is None:
        lines.append(t("insight.overview.never", language))
    else:
        when = last.closes_at if last.open else (last.closed_at or last.closes_at)
        key = "insight.overview.open" if last.open else "insight.overview.closed"
        at = local_time(when, tz, language)
        lines.append(t(key, language, id=last.checkin_id, at=at, event=last.event))
        lines.append(
            t(
                "insight.overview.result",
                language,
                responded=last.responded,
                total=last.key_figures,
                median=median_text(last.median, language),
            )
        )
        if any(c.count for c in last.directions):
            directions = counts_line(last.directions, language)
            lines.append(t("insight.overview.directions", language, counts=directions))
    if state.contact_requests:
        lines.append(tn("insight.overview.contacts", state.contact_requests, language))
    return lines


def overview_lines(overview: Overview, tz: ZoneInfo, language: str | None) -> list[str]:
    """The whole of /overzicht as lines (split over messages only when too long)."""
    since = local_time(overview.contacts_since, tz, language)
    lines = [t("insight.overview.head", language, since=since)]
    for state in overview.districts:
        lines += ["", *district_lines(state, tz, language)]
    return lines
