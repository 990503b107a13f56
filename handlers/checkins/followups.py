"""The private follow-up after a first answer: direction, themes, free text, contact.

One panel message in the private chat carries the buttons; every press makes one service
call and shows the resulting state in that same message. Presses are only honoured in the
presser's own private chat (a forged press on a group message must not turn the group's
check-in into somebody's panel), and the services touch only the presser's own follow-up.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from handlers import awaiting
from handlers.callback_data import CallbackData
from handlers.checkins.answers import stale_answer, toast
from handlers.checkins.followup_keyboards import (
    FollowContact,
    FollowDirection,
    FollowDone,
    FollowText,
    FollowTheme,
    done_text,
    panel_keyboard,
    panel_text,
)
from handlers.common import in_own_chat, reply
from handlers.context import BotContext
from handlers.i18n import t
from services.checkins.outcomes import (
    Closed,
    FollowUpState,
    NotAnswered,
    OffScale,
    TextTooLong,
    Unknown,
)

log = logging.getLogger(__name__)

TEXT_KIND = "followup.text"
Press = TypeVar("Press", bound=CallbackData)
PressOutcome = FollowUpState | Closed | NotAnswered | Unknown | OffScale


async def _edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        # A second press of the same button shows the same state: nothing to change.
        if "not modified" not in exc.message.lower():
            raise


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError:
        log.info("could not remove the buttons of a closed follow-up", exc_info=True)


def _decode(update: Update, cls: type[Press]) -> tuple[CallbackQuery, int, Press] | None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    parsed = cls.parse(query.data)
    if parsed is None or not in_own_chat(update):
        return None
    return query, user.id, parsed


async def _show(
    query: CallbackQuery, outcome: PressOutcome, context: BotContext, note: str | None = None
) -> None:
    lang = context.language
    match outcome:
        case FollowUpState():
            # The new state first, then the answer: the spinner stops once it shows.
            await _edit(query, panel_text(outcome, lang), panel_keyboard(outcome, lang))
            await query.answer(note)
        case Closed():
            await _drop_buttons(query)
            await query.answer(toast("answer.closed", lang))
        case _:
            await stale_answer(query, lang)


async def _stale(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await stale_answer(update.callback_query, context.language)


async def direction(update: Update, context: BotContext) -> None:
    """Set the direction of the mood."""
    pressed = _decode(update, FollowDirection)
    if pressed is None:
        return await _stale(update, context)
    query, user_id, press = pressed
    followups = context.services.checkins.followups
    outcome = await followups.set_direction(user_id, press.checkin, press.direction)
    await _show(query, outcome, context)


async def theme(update: Update, context: BotContext) -> None:
    """Switch a theme on or off."""
    pressed = _decode(update, FollowTheme)
    if pressed is None:
        return await _stale(update, context)
    query, user_id, press = pressed
    followups = context.services.checkins.followups
    await _show(query, await followups.toggle_theme(user_id, press.checkin, press.theme), context)


async def contact(update: Update, context: BotContext) -> None:
    """Ask for contact with police or municipality (the chiefs are told), or say no."""
    pressed = _decode(update, FollowContact)
    if pressed is None:
        return await _stale(update, context)
    query, user_id, press = pressed
    lang = context.language
    followups = context.services.checkins.followups
    outcome = await followups.set_contact(user_id, press.checkin, press.wanted)
    note = toast("followup.contact_noted", lang) if press.wanted else None
    await _show(query, outcome, context, note)


async def ask_text(update: Update, context: BotContext) -> None:
    """Ask what the person hears in their circle; the next private text is the answer."""
    pressed = _decode(update, FollowText)
    if pressed is None:
        return await _stale(update, context)
    query, user_id, press = pressed
    lang = context.language
    outcome = await context.services.checkins.followups.follow_up(user_id, press.checkin)
    if not isinstance(outcome, FollowUpState):
        return await _show(query, outcome, context)
    await query.answer()
    panel = query.message.message_id if query.message else None
    awaiting.expect(context, TEXT_KIND, checkin_id=press.checkin, panel=panel)
    limit = context.services.checkins.settings.max_free_text
    await context.bot.send_message(
        user_id, t("followup.ask_text", lang, max=limit), parse_mode=ParseMode.HTML
    )


async def done(update: Update, context: BotContext) -> None:
    """Close the panel, showing what was noted."""
    pressed = _decode(update, FollowDone)
    if pressed is None:
        return await _stale(update, context)
    query, user_id, press = pressed
    lang = context.language
    outcome = await context.services.checkins.followups.follow_up(user_id, press.checkin)
    if not isinstance(outcome, FollowUpState):
        return await _show(query, outcome, context)
    waiting = awaiting.pending(context)
    if waiting is not None and waiting.get("kind") == TEXT_KIND:
        awaiting.clear(context)  # done means no text is expected any more
    await _edit(query, done_text(outcome, lang), None)
    await query.answer()


@awaiting.consumer(TEXT_KIND)
async def take_text(update: Update, context: BotContext, data: dict[str, Any]) -> None:
    """Keep the free text as written, and show the panel anew below it."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    lang = context.language
    checkin_id = int(data["checkin_id"])
    followups = context.services.checkins.followups
    outcome = await followups.set_free_text(user.id, checkin_id, message.text)
    match outcome:
        case FollowUpState():
            await _retire_panel(context, user.id, data.get("panel"))
            await message.reply_text(
                panel_text(outcome, lang, head=t("followup.text_saved", lang)),
                parse_mode=ParseMode.HTML,
                reply_markup=panel_keyboard(outcome, lang),
            )
        case TextTooLong(max_length=limit, length=length):
            # They may try again, shorter.
            awaiting.expect(context, TEXT_KIND, checkin_id=checkin_id, panel=data.get("panel"))
            await reply(message, t("followup.text_too_long", lang, length=length, max=limit))
        case Closed():
            await reply(message, t("followup.text_closed", lang))
        case _:
            await reply(message, t("followup.text_not_kept", lang))


async def _retire_panel(context: BotContext, chat_id: int, message_id: object) -> None:
    # The new panel goes below the text; the old one keeps its words but loses its buttons,
    # so only one panel per check-in can be pressed.
    if not isinstance(message_id, int):
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError:
        log.info("could not retire an old follow-up panel", exc_info=True)
