"""/actie, /acties and the talking points' buttons: what was agreed, by whom, until when."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from handlers import awaiting
from handlers.common import actor_of, arguments, in_own_chat, label, reply, split_district
from handlers.context import BotContext
from handlers.i18n import Safe, t
from handlers.meetings.keyboards import ActionPick
from handlers.meetings.points import action_line
from services.meetings.views import ActionRefused, ActionView

RESULT = "meeting.action_result"
_DAY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{4}))?$")


def parse_day(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """'15-12' or '15-12-2026' as the end of that local day (the next such day without year)."""
    found = _DAY.match(text.strip())
    if found is None:
        return None
    day, month, year = found.groups()
    local_now = now.astimezone(tz)
    for y in [int(year)] if year else [local_now.year, local_now.year + 1]:
        try:
            at = datetime.combine(date(y, int(month), int(day)), time(23, 59), tz)
        except ValueError:
            return None
        if year or at > local_now:
            return at.astimezone(ZoneInfo("UTC"))
    return None


async def actie(update: Update, context: BotContext) -> None:
    """/actie <bijeenkomst> <eigenaar> <datum> <wat>: record an agreed action."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    number, _, rest = arguments(context).partition(" ")
    owner, rest = split_district(rest)
    day, _, description = rest.strip().partition(" ")
    due = parse_day(day, services.clock.now(), services.tz)
    if not number.lstrip("#").isdigit() or not owner or due is None or not description:
        await reply(message, t("meeting.action.usage", lang))
        return
    added = await services.meetings.actions.add(
        actor, int(number.lstrip("#")), owner, due, description
    )
    if isinstance(added, ActionRefused):
        await reply(message, t(f"meeting.action.refused.{added.reason}", lang))
        return
    await reply(message, t("meeting.action.added", lang, line=_line(added, context)))


async def acties(update: Update, context: BotContext) -> None:
    """List the open actions of one's districts, each with a button to close it."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    found = await services.meetings.actions.open_actions(actor)
    if not found:
        await reply(message, t("meeting.action.none_open", lang))
        return
    await reply(message, t("meeting.action.list_head", lang))
    for action in found:
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        label("meeting.action.close_button", lang),
                        callback_data=ActionPick(action.action_id).encode(),
                    )
                ]
            ]
        )
        await message.reply_text(
            _line(action, context), parse_mode=ParseMode.HTML, reply_markup=keyboard
        )


async def close_pick(update: Update, context: BotContext) -> None:
    """'Afronden' under an action: ask for the one-line result (checked again on closing)."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    services, lang = context.services, context.language
    parsed = ActionPick.parse(query.data)
    if parsed is None or not in_own_chat(update):
        await query.answer(label("meeting.plan.stale", lang))
        return
    found = await services.meetings.actions.may_close(actor, parsed.action)
    if isinstance(found, ActionRefused):
        await query.answer(label(f"meeting.action.refused.{found.reason}", lang), show_alert=True)
        return
    await query.answer()
    awaiting.expect(context, RESULT, action=parsed.action)
    await context.bot.send_message(
        actor.telegram_user_id,
        t("meeting.action.ask_result", lang, line=_line(found, context)),
        parse_mode=ParseMode.HTML,
    )


@awaiting.consumer(RESULT)
async def take_result(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """The one-line result of an action being closed."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    action_id = int(str(data.get("action", 0)))
    closed = await services.meetings.actions.close(actor, action_id, message.text or "")
    if isinstance(closed, ActionRefused):
        if closed.reason == "empty":
            awaiting.expect(context, RESULT, action=action_id)
        await reply(message, t(f"meeting.action.refused.{closed.reason}", lang))
        return
    await reply(
        message, t("meeting.action.closed", lang, id=action_id, result=closed.result or "")
    )


def _line(action: ActionView, context: BotContext) -> Safe:
    # Rendered (and escaped) already: it goes into other texts as it is.
    return Safe(action_line(action, context.services.tz, context.language))
