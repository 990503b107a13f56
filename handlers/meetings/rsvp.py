"""RSVP presses on an invitation, and each person's own dietary panel in the private chat.

The callback data is an untrusted id: the service checks the meeting, the deadline and that
the presser belongs to an invited district, and commits before we answer. Dietary needs are
only ever asked and shown in the person's own private chat.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from handlers import awaiting
from handlers.common import actor_of, in_own_chat, label, reply
from handlers.context import BotContext
from handlers.i18n import t
from handlers.meetings.keyboards import (
    DietPress,
    RsvpButton,
    answer_label,
    clear_keyboard,
    consent_keyboard,
    diet_keyboard,
)
from handlers.meetings.render import diet_text, need_names
from handlers.render import local_time
from services.meetings.dietary import DietaryRefused, DietaryView
from services.meetings.rsvp import RsvpPress
from services.meetings.views import RsvpRecorded

log = logging.getLogger(__name__)

DIET_TEXT = "meeting.diet_text"
TOAST_LIMIT = 200


def _toast(text: str) -> str:
    return text if len(text) <= TOAST_LIMIT else text[: TOAST_LIMIT - 1] + "…"


async def press(update: Update, context: BotContext) -> None:
    """Record an RSVP press; then ask privately about the meal after 'Ik kom' / 'Misschien'."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    services, lang = context.services, context.language
    parsed = RsvpButton.parse(query.data)
    if parsed is None or query.message is None:
        await query.answer(_toast(label("meeting.rsvp.refused.unknown", lang)))
        return
    message = query.message
    outcome = await services.meetings.rsvps.record(
        RsvpPress(user.id, parsed.meeting, parsed.answer, message.chat.id, message.message_id)
    )
    if not isinstance(outcome, RsvpRecorded):
        await query.answer(_toast(label(f"meeting.rsvp.refused.{outcome.reason}", lang)))
        return
    until = local_time(outcome.changeable_until, services.tz, lang)
    key = "meeting.rsvp.same" if outcome.before == outcome.answer else "meeting.rsvp.recorded"
    text = label(key, lang, answer=answer_label(outcome.answer, lang), until=until)
    await query.answer(_toast(text))
    await services.meetings.dietary.after_rsvp(user.id, outcome.meeting_id, outcome.answer)
    if outcome.asks_dietary:
        await _offer_panel(context, user.id, outcome.meeting_id)


async def _offer_panel(context: BotContext, telegram_user_id: int, meeting_id: int) -> None:
    """Send the dietary question (or the remembered needs) privately; a blocked chat is fine."""
    services, lang = context.services, context.language
    view = await services.meetings.dietary.offer(telegram_user_id, meeting_id)
    if isinstance(view, DietaryRefused):
        return
    text, keyboard = _panel(view, context)
    try:
        await context.bot.send_message(
            telegram_user_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
    except TelegramError as exc:
        # They never started the private chat, or blocked it: the RSVP stands regardless.
        log.info("dietary question to a member not delivered: %s", exc)
    del lang


def _panel(view: DietaryView, context: BotContext) -> tuple[str, InlineKeyboardMarkup]:
    services, lang = context.services, context.language
    text = diet_text(view, services.tz, lang)
    if not view.consented:
        return text, consent_keyboard(view.meeting_id, lang)
    return text, diet_keyboard(view.meeting_id, view.needs, view.remember, lang)


async def diet_press(update: Update, context: BotContext) -> None:
    """A button of the person's own dietary panel; only in their own private chat."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    services, lang = context.services, context.language
    parsed = DietPress.parse(query.data)
    if parsed is None or not in_own_chat(update):
        await query.answer(label("meeting.diet.stale", lang))
        return
    dietary = services.meetings.dietary
    if parsed.action == "text":
        view = await dietary.view(user.id, parsed.meeting)
        if isinstance(view, DietaryRefused) or not view.consented:
            await query.answer(label("meeting.diet.stale", lang))
            return
        awaiting.expect(context, DIET_TEXT, meeting=parsed.meeting)
        await query.answer()
        await context.bot.send_message(user.id, t("meeting.diet.ask_text", lang))
        return
    if parsed.action == "done":
        view = await dietary.view(user.id, parsed.meeting)
        if isinstance(view, DietaryRefused):
            await query.answer(label(f"meeting.diet.refused.{view.reason}", lang))
            return
        await query.answer()
        needs = need_names(view.needs, view.free_text, lang) if view.consented else None
        text = (
            t("meeting.diet.done", lang, needs=needs)
            if needs is not None
            else t("meeting.diet.none_given", lang)
        )
        await _edit(query.message, text, None)
        return
    if parsed.action == "clear":
        # Clearing erases everything the person ever gave, remembered needs included.
        await dietary.clear_all(user.id)
        await query.answer()
        await _edit(query.message, t("meeting.diet.cleared", lang), None)
        return
    if parsed.action not in ("consent", "none", "toggle", "remember"):
        await query.answer(label("meeting.diet.stale", lang))
        return
    changed = await dietary.change(user.id, parsed.meeting, parsed.action, parsed.value)  # type: ignore[arg-type]
    if isinstance(changed, DietaryRefused):
        await query.answer(label(f"meeting.diet.refused.{changed.reason}", lang))
        return
    await query.answer()
    if parsed.action == "none":
        await _edit(query.message, t("meeting.diet.none_given", lang), None)
        return
    text, keyboard = _panel(changed, context)
    await _edit(query.message, text, keyboard)


@awaiting.consumer(DIET_TEXT)
async def take_diet_text(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """A dietary need in the person's own words ('geen vis')."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    services, lang = context.services, context.language
    meeting_id = int(str(data.get("meeting", 0)))
    changed = await services.meetings.dietary.change(
        user.id, meeting_id, "text", text=message.text or ""
    )
    if isinstance(changed, DietaryRefused):
        if changed.reason == "text_too_long":
            awaiting.expect(context, DIET_TEXT, meeting=meeting_id)
        await reply(message, t(f"meeting.diet.refused.{changed.reason}", lang))
        return
    text, keyboard = _panel(changed, context)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def dieet(update: Update, context: BotContext) -> None:
    """/dieet: show and change one's own dietary needs for the next meeting one comes to."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    meeting_id = await services.meetings.dietary.next_meeting(actor.telegram_user_id)
    if meeting_id is None:
        kept = await services.meetings.dietary.remembered(actor.telegram_user_id)
        if kept is None:
            await reply(message, t("meeting.diet.no_meeting", lang))
            return
        needs = need_names(tuple(kept.needs), kept.free_text, lang)
        await message.reply_text(
            t("meeting.diet.remembered", lang, needs=needs),
            parse_mode=ParseMode.HTML,
            reply_markup=clear_keyboard(kept.meeting_id, lang),
        )
        return
    view = await services.meetings.dietary.view(actor.telegram_user_id, meeting_id)
    if isinstance(view, DietaryRefused):
        await reply(message, t("meeting.diet.no_meeting", lang))
        return
    text, keyboard = _panel(view, context)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def _edit(message: object, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
