"""/bijeenkomsten: an organiser's upcoming meetings, with the headcount and its CSV, and
moving or cancelling one."""

from __future__ import annotations

import io

from telegram import InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers import awaiting
from handlers.common import actor_of, in_own_chat, label, reply
from handlers.context import BotContext
from handlers.i18n import t, tn
from handlers.meetings.draft import parse_when
from handlers.meetings.keyboards import (
    MeetingPick,
    PointPick,
    cancel_keyboard,
    organiser_keyboard,
    points_keyboard,
)
from handlers.meetings.points import render_points
from handlers.meetings.render import count_line, render_headcount
from handlers.render import local_time
from services.meetings.views import ChangeRefused, MeetingChanged
from services.outcomes import Denied

MOVE = "meeting.move"
NOTE = "meeting.points_note"
_ACTIONS = frozenset(
    {"count", "csv", "move", "cancel", "cancel_yes", "cancel_no", "points", "note"}
    | {"clear_notes", "send_points"}
)


async def bijeenkomsten(update: Update, context: BotContext) -> None:
    """List the upcoming meetings the person may organise, each with its buttons."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
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
            text, parse_mode=ParseMode.HTML, reply_markup=organiser_keyboard(item.meeting_id, lang)
        )


async def pick(update: Update, context: BotContext) -> None:
    """A button under a listed meeting; the service checks the right again."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    services, lang = context.services, context.language
    parsed = MeetingPick.parse(query.data)
    if parsed is None or not in_own_chat(update) or parsed.action not in _ACTIONS:
        await query.answer(label("meeting.plan.stale", lang))
        return
    meeting_id, action = parsed.meeting, parsed.action
    if action == "count":
        found = await services.meetings.headcount.headcount(actor, meeting_id)
        if isinstance(found, Denied):
            await query.answer(label("meeting.plan.not_allowed", lang), show_alert=True)
            return
        await query.answer()
        text = render_headcount(found, services.tz, lang)
        await context.bot.send_message(actor.telegram_user_id, text, parse_mode=ParseMode.HTML)
    elif action == "csv":
        data = await services.meetings.headcount.csv(actor, meeting_id)
        if isinstance(data, Denied):
            await query.answer(label("meeting.plan.not_allowed", lang), show_alert=True)
            return
        await query.answer()
        await context.bot.send_document(
            actor.telegram_user_id,
            InputFile(io.BytesIO(data), filename=f"bijeenkomst-{meeting_id}-telling.csv"),
            caption=t("meeting.list.csv_caption", lang, id=meeting_id),
        )
    elif action == "move":
        await query.answer()
        awaiting.expect(context, MOVE, meeting=meeting_id)
        await context.bot.send_message(
            actor.telegram_user_id, t("meeting.move.ask", lang, id=meeting_id)
        )
    elif action == "cancel":
        await query.answer()
        await context.bot.send_message(
            actor.telegram_user_id,
            t("meeting.cancel.confirm", lang, id=meeting_id),
            reply_markup=cancel_keyboard(meeting_id, lang),
        )
    elif action in ("points", "clear_notes"):
        talking = services.meetings.talking_points
        view = await (
            talking.draft(actor, meeting_id)
            if action == "points"
            else talking.clear_notes(actor, meeting_id)
        )
        if isinstance(view, Denied):
            await query.answer(label("meeting.plan.not_allowed", lang), show_alert=True)
            return
        await query.answer()
        await context.bot.send_message(
            actor.telegram_user_id,
            render_points(view, services.tz, lang),
            parse_mode=ParseMode.HTML,
            reply_markup=points_keyboard(view, lang),
        )
    elif action == "note":
        await query.answer()
        awaiting.expect(context, NOTE, meeting=meeting_id)
        await context.bot.send_message(actor.telegram_user_id, t("meeting.points.ask_note", lang))
    elif action == "send_points":
        sent = await services.meetings.talking_points.send(actor, meeting_id)
        if isinstance(sent, Denied):
            await query.answer(label("meeting.plan.not_allowed", lang), show_alert=True)
            return
        await query.answer()
        await context.bot.send_message(
            actor.telegram_user_id, tn("meeting.points.sent", sent, lang, id=meeting_id)
        )
    elif action == "cancel_no":
        await query.answer()
        await _edit(query.message, t("meeting.cancel.kept", lang, id=meeting_id))
    else:
        changed = await services.meetings.changes.cancel(actor, meeting_id)
        await query.answer()
        await _edit(query.message, _changed_text("meeting.cancel.done", changed, context))


@awaiting.consumer(NOTE)
async def take_note(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """One of the organiser's own lines for the talking points, typed."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    meeting_id = int(str(data.get("meeting", 0)))
    view = await services.meetings.talking_points.add_note(actor, meeting_id, message.text or "")
    if isinstance(view, Denied):
        await reply(message, t("meeting.plan.not_allowed", lang))
        return
    await message.reply_text(
        render_points(view, services.tz, lang),
        parse_mode=ParseMode.HTML,
        reply_markup=points_keyboard(view, lang),
    )


@awaiting.consumer(MOVE)
async def take_new_time(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """The new date and time of a meeting being moved, typed ('27-11 18:30')."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    meeting_id = int(str(data.get("meeting", 0)))
    at = parse_when(message.text or "", services.clock.now(), services.tz)
    if at is None:
        awaiting.expect(context, MOVE, meeting=meeting_id)
        await reply(message, t("meeting.plan.when_unclear", lang))
        return
    changed = await services.meetings.changes.move(actor, meeting_id, at)
    if isinstance(changed, ChangeRefused) and changed.reason in ("starts_past", "same_time"):
        awaiting.expect(context, MOVE, meeting=meeting_id)
    await reply(message, _changed_text("meeting.move.done", changed, context))


def _changed_text(key: str, changed: MeetingChanged | ChangeRefused, context: BotContext) -> str:
    services, lang = context.services, context.language
    if isinstance(changed, ChangeRefused):
        return t(f"meeting.change.refused.{changed.reason}", lang)
    return tn(
        key,
        changed.told,
        lang,
        id=changed.meeting_id,
        when=local_time(changed.starts_at, services.tz, lang),
        until=local_time(changed.rsvp_deadline, services.tz, lang),
    )


async def _edit(message: object, text: str) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def toggle_point(update: Update, context: BotContext) -> None:
    """Leave a generated line out of the talking points, or put it back; show the draft."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    services, lang = context.services, context.language
    parsed = PointPick.parse(query.data)
    if parsed is None:
        await query.answer(label("meeting.points.line_gone", lang))
        return
    key = f"{parsed.kind}:{parsed.line}"
    view = await services.meetings.talking_points.toggle_line(actor, parsed.meeting, key)
    if isinstance(view, Denied):
        await query.answer(label("meeting.plan.not_allowed", lang), show_alert=True)
        return
    if key not in view.line_keys() and key not in view.left_out:
        await query.answer(label("meeting.points.line_gone", lang))
        return
    await query.answer()
    text = render_points(view, services.tz, lang)
    markup = points_keyboard(view, lang)
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest:
            pass  # too old to edit: send it afresh below
    await context.bot.send_message(
        actor.telegram_user_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )
