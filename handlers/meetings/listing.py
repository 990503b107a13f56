"""/bijeenkomsten: an organiser's upcoming meetings, with the headcount and its CSV."""

from __future__ import annotations

import io

from telegram import InputFile, Update

from handlers.common import actor_of, in_own_chat, label, reply
from handlers.context import BotContext
from handlers.i18n import t
from handlers.meetings.keyboards import MeetingPick, organiser_keyboard
from handlers.meetings.render import count_line, render_headcount
from handlers.render import local_time
from services.outcomes import Denied


async def bijeenkomsten(update: Update, context: BotContext) -> None:
    """List the upcoming meetings the person may organise, each with its buttons."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.services.language
    found = await services.meetings.headcount.upcoming(actor)
    if isinstance(found, Denied):
        await reply(message, t("meeting.plan.not_allowed", lang))
        return
    if not found:
        await reply(message, t("meeting.list.none", lang))
        return
    for item in found:
        text = t(
            "meeting.list.item",
            lang,
            id=item.meeting_id,
            districts=" + ".join(item.districts),
            when=local_time(item.details.starts_at, services.tz, lang),
            place=item.details.place,
            counts=count_line(item.counts, lang),
        )
        await message.reply_text(
            text, parse_mode="HTML", reply_markup=organiser_keyboard(item.meeting_id, lang)
        )


async def pick(update: Update, context: BotContext) -> None:
    """Headcount or CSV of one listed meeting; checked again by the service."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    services, lang = context.services, context.services.language
    parsed = MeetingPick.parse(query.data)
    if parsed is None or not in_own_chat(update) or parsed.action not in ("count", "csv"):
        await query.answer(label("meeting.plan.stale", lang))
        return
    headcounts = services.meetings.headcount
    if parsed.action == "count":
        found = await headcounts.headcount(actor, parsed.meeting)
        if isinstance(found, Denied):
            await query.answer(label("meeting.plan.not_allowed", lang), show_alert=True)
            return
        await query.answer()
        await context.bot.send_message(
            actor.telegram_user_id, render_headcount(found, services.tz, lang), parse_mode="HTML"
        )
        return
    data = await headcounts.csv(actor, parsed.meeting)
    if isinstance(data, Denied):
        await query.answer(label("meeting.plan.not_allowed", lang), show_alert=True)
        return
    await query.answer()
    name = f"bijeenkomst-{parsed.meeting}-telling.csv"
    await context.bot.send_document(
        actor.telegram_user_id,
        InputFile(io.BytesIO(data), filename=name),
        caption=t("meeting.list.csv_caption", lang, id=parsed.meeting),
    )
