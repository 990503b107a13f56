"""Practice check-ins ("oefening"): a coordinator wipes one's data, with a confirm step.

`/oefening wis <nummer>` or the button under a practice summary asks first, naming what goes;
'Ja, alles wissen' deletes it all (services/checkins/practice.py). A real check-in is refused
in one line: it counts, and is never wiped this way.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from handlers.callback_data import CallbackData
from handlers.common import actor_of, in_own_chat, label, note_refused, reply
from handlers.context import BotContext
from handlers.districts.commands import command_rest
from handlers.i18n import t
from services.access import Actor
from services.checkins.outcomes import Unknown
from services.checkins.practice import NotPractice, PracticeFound, StillOpen, WipeRefusal
from services.outcomes import Denied

# What a press asks: to wipe (shows the confirm step), to go ahead, or to keep it.
ASK, CONFIRM, KEEP = 0, 1, 2
_WIPE_WORDS = ("wis", "wipe")


@dataclass(frozen=True)
class WipePress(CallbackData, prefix="ow"):
    """Wipe this practice check-in: ask, confirm or keep; the service checks who may."""

    checkin: int
    step: int


def _button(key: str, checkin_id: int, step: int, language: str | None) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label(key, language), callback_data=WipePress(checkin_id, step).encode()
    )


def wipe_keyboard(checkin_id: int, language: str | None) -> InlineKeyboardMarkup:
    """The button under a practice check-in's summary."""
    return InlineKeyboardMarkup([[_button("practice.button.wipe", checkin_id, ASK, language)]])


def confirm_keyboard(checkin_id: int, language: str | None) -> InlineKeyboardMarkup:
    """'Ja, alles wissen' and 'Niet wissen'."""
    return InlineKeyboardMarkup(
        [
            [_button("practice.button.wipe_confirm", checkin_id, CONFIRM, language)],
            [_button("practice.button.keep", checkin_id, KEEP, language)],
        ]
    )


def refusal_text(refusal: WipeRefusal, checkin_id: int, language: str | None) -> str:
    """One line on why this check-in cannot be wiped."""
    match refusal:
        case NotPractice():
            return t("practice.wipe.not_practice", language, id=checkin_id)
        case StillOpen():
            return t("practice.wipe.still_open", language, id=checkin_id)
        case Unknown():
            return t("practice.wipe.unknown", language, id=checkin_id)
        case _:
            return t("practice.not_allowed", language)


def _figures(found: PracticeFound) -> dict[str, object]:
    return {
        "id": found.checkin_id,
        "event": found.event,
        "answers": found.answers,
        "follow_ups": found.follow_ups,
        "deliveries": found.deliveries,
    }


def parse_wipe(rest: str) -> int | None:
    """'wis 12' (or 'wis #12') → 12; anything else None."""
    parts = rest.split()
    if len(parts) != 2 or parts[0].lower() not in _WIPE_WORDS:
        return None
    number = parts[1].removeprefix("#")
    return int(number) if number.isdigit() and len(number) <= 9 else None


async def oefening(update: Update, context: BotContext) -> None:
    """/oefening wis <nummer>: show what would go, with the confirm step."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    if not actor.is_coordinator:
        await note_refused(update, context, "/oefening")
        await reply(message, t("practice.not_allowed", lang))
        return
    checkin_id = parse_wipe(command_rest(message.text))
    if checkin_id is None:
        await reply(message, t("practice.usage", lang))
        return
    text, keyboard = await _ask(context, actor, checkin_id)
    await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def press(update: Update, context: BotContext) -> None:
    """The wipe buttons: ask (under the summary), confirm or keep (under the question)."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    lang = context.language
    parsed = WipePress.parse(query.data)
    if parsed is None or not in_own_chat(update) or parsed.step not in (ASK, CONFIRM, KEEP):
        await query.answer(label("answer.stale", lang))
        return
    if not actor.is_coordinator:
        await note_refused(update, context, "oefening")
        await query.answer(label("practice.not_allowed", lang), show_alert=True)
        return
    await query.answer()
    if parsed.step == ASK:
        text, keyboard = await _ask(context, actor, parsed.checkin)
        if query.message is not None:
            await context.bot.send_message(
                query.message.chat.id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
            )
        return
    if parsed.step == KEEP:
        text = t("practice.wipe.kept", lang)
    else:
        wiped = await context.services.checkins.practice.wipe(actor, parsed.checkin)
        if isinstance(wiped, PracticeFound):
            text = t("practice.wipe.done", lang, **_figures(wiped))
        else:
            text = refusal_text(wiped, parsed.checkin, lang)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML)


async def _ask(
    context: BotContext, actor: Actor, checkin_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = context.language
    found = await context.services.checkins.practice.find(actor, checkin_id)
    if isinstance(found, PracticeFound):
        return t("practice.wipe.ask", lang, **_figures(found)), confirm_keyboard(checkin_id, lang)
    if isinstance(found, Denied):
        return t("practice.not_allowed", lang), None
    return refusal_text(found, checkin_id, lang), None
