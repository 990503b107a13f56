"""/sluit and /peilingen in the private chat: close a check-in early, list open and recent ones.

Closing itself is the service's: it edits the group messages to 'gesloten' with the final
tally and sends the summary. The deadline job of a check-in closed by hand is dropped.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ParseMode

from handlers.checkins.jobs import unschedule_close
from handlers.checkins.render import practice_mark, pulse_label
from handlers.checkins.wizard_keyboards import ClosePick, close_keyboard
from handlers.common import actor_of, arguments, in_own_chat, note_refused, reply, reply_lines
from handlers.context import BotContext
from handlers.i18n import t
from handlers.render import local_time
from services.checkins.closing import CloseOutcome
from services.checkins.outcomes import (
    AlreadyClosed,
    CheckInClosed,
    CheckInLine,
    CheckInStatus,
    Unknown,
)
from services.checkins.scale import Scale
from services.outcomes import Denied


def parse_id(text: str) -> int | None:
    """Read '12' or '#12'; None for anything else."""
    text = text.strip().lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def close_text(outcome: CloseOutcome, checkin_id: int, tz: ZoneInfo, lang: str | None) -> str:
    """What the person reads after asking to close a check-in."""
    match outcome:
        case CheckInClosed(event=event):
            return t("sluit.closed", lang, id=checkin_id, event=event)
        case AlreadyClosed(closed_at=closed_at) if closed_at is not None:
            at = local_time(closed_at, tz, lang)
            return t("sluit.already_closed", lang, id=checkin_id, at=at)
        case AlreadyClosed():
            return t("sluit.already_closed_plain", lang, id=checkin_id)
        case Denied():
            return t("sluit.denied", lang)
        case _:  # Unknown (NotYetDue is only for the deadline job)
            return t("sluit.unknown", lang, id=checkin_id)


async def sluit(update: Update, context: BotContext) -> None:
    """Close a check-in by number, or the only open one, or ask which."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    given = arguments(context)
    checkin_id = parse_id(given) if given else None
    if given and checkin_id is None:
        await reply(message, t("sluit.usage", lang))
        return
    if checkin_id is None:
        lines = await services.checkins.listing.list_checkins(actor)
        open_ones = [] if isinstance(lines, Denied) else _open(lines)
        if not open_ones:
            await reply(message, t("sluit.none_open", lang))
            return
        if len(open_ones) > 1:
            await message.reply_text(
                t("sluit.choose", lang),
                parse_mode=ParseMode.HTML,
                reply_markup=close_keyboard([(x.checkin_id, x.event) for x in open_ones], lang),
            )
            return
        checkin_id = open_ones[0].checkin_id
    outcome = await services.checkins.closing.close_checkin(checkin_id, actor)
    if isinstance(outcome, CheckInClosed):
        unschedule_close(context.job_queue, checkin_id)
    await reply(message, close_text(outcome, checkin_id, services.tz, lang))


async def close_pick(update: Update, context: BotContext) -> None:
    """A check-in picked from /sluit's list: close it (the service checks who may)."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    services, lang = context.services, context.language
    parsed = ClosePick.parse(query.data)
    if parsed is None or not in_own_chat(update):
        await query.answer(t("peiling.stale", lang))
        return
    outcome = await services.checkins.closing.close_checkin(parsed.checkin, actor)
    if isinstance(outcome, Denied | Unknown):
        # A forged or foreign id: say so briefly, leave the list as it is.
        text = close_text(outcome, parsed.checkin, services.tz, lang)
        await note_refused(update, context, "/sluit")
        await query.answer(text[:200], show_alert=True)
        return
    if isinstance(outcome, CheckInClosed):
        unschedule_close(context.job_queue, parsed.checkin)
    await query.answer()
    await query.edit_message_text(
        close_text(outcome, parsed.checkin, services.tz, lang), parse_mode=ParseMode.HTML
    )


def _open(lines: list[CheckInLine]) -> list[CheckInLine]:
    return [line for line in lines if line.status is CheckInStatus.OPEN]


def listing_lines(
    lines: list[CheckInLine], tz: ZoneInfo, scale: Scale, lang: str | None
) -> list[str]:
    """The lines of /peilingen: one block per check-in, newest first."""
    out = [t("peilingen.head", lang)]
    for line in lines:
        out.append("")
        out.append(t("peilingen.title", lang, id=line.checkin_id, event=line.event))
        if line.pulse_weeks is not None:
            out.append(f"🔁 {pulse_label(line.pulse_weeks, lang)}")
        if line.practice:
            out.append(practice_mark(lang))
        if line.status is CheckInStatus.OPEN:
            out.append(t("peilingen.open", lang, at=local_time(line.closes_at, tz, lang)))
        else:
            closed = line.closed_at or line.closes_at
            out.append(t("peilingen.closed", lang, at=local_time(closed, tz, lang)))
        districts = ", ".join(line.districts) or t("peilingen.not_delivered", lang)
        out.append(
            t(
                "peilingen.reach",
                lang,
                districts=districts,
                responded=line.responded,
                total=line.key_figures,
            )
        )
        if line.own_code is not None and scale.has(line.own_code):
            own = t(scale.label_key(line.own_code), lang)
            out.append(t("peilingen.own", lang, label=own))
        if line.feedback is not None and line.feedback_at is not None:
            at = local_time(line.feedback_at, tz, lang)
            out.append(t("peilingen.feedback", lang, at=at, text=_short(line.feedback)))
    return out


def _short(text: str, limit: int = 300) -> str:
    # A list stays a list: the whole feedback is in the groups and the exports.
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def peilingen(update: Update, context: BotContext) -> None:
    """List the open and recent check-ins of the person's districts (coordinators: all)."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    lines = await services.checkins.listing.list_checkins(actor)
    if isinstance(lines, Denied):
        await note_refused(update, context, "/peilingen")
        await reply(message, t("peilingen.denied", lang))
    elif not lines:
        await reply(message, t("peilingen.none", lang))
    else:
        scale = services.checkin_settings.scale
        await reply_lines(message, listing_lines(lines, services.tz, scale, lang))
