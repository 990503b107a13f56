"""Show the /peiling wizard's current step: a question with its buttons, or the preview.

Shared by the command, the buttons and the typed answers (handlers/checkins/wizard.py). The preview
is the service's: it checks the draft as it would on sending, and a refusal steps the draft
back to what has to change, saying why.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers import awaiting
from handlers.checkins.wizard_draft import Draft, drop_draft
from handlers.checkins.wizard_keyboards import (
    cancel_row,
    districts_keyboard,
    duration_keyboard,
    preview_keyboard,
    tally_keyboard,
)
from handlers.checkins.wizard_texts import (
    duration_problem,
    event_problem,
    nothing_to_send,
    preview_text,
    step_text,
)
from handlers.context import BotContext
from handlers.i18n import t
from services.access import Actor
from services.checkins.outcomes import InvalidDuration, InvalidEvent, NothingToSend, Preview
from services.checkins.start import StartRefusal

# The questions answered by typing (handlers/awaiting.py routes the text).
EVENT, UNTIL = "peiling.event", "peiling.until"


async def show_step(
    context: BotContext,
    actor: Actor,
    draft: Draft,
    *,
    chat_id: int | None = None,
    edit: object = None,
    note: str | None = None,
) -> None:
    """Show the draft's current step: edit the wizard message `edit`, or send to chat_id."""
    services, lang = context.services, context.language
    step = draft.step()
    keyboard: InlineKeyboardMarkup
    if step == "preview":
        assert draft.event is not None and draft.show_tally is not None
        found = await services.checkins.start.preview(
            actor,
            draft.event,
            draft.targets(),
            draft.duration_from(services.clock.now()),
            draft.show_tally,
            practice=draft.practice,
        )
        if not isinstance(found, Preview):
            await show_refusal(context, actor, draft, found, chat_id=chat_id, edit=edit)
            return
        text, sample = preview_text(found, services.tz, lang)
        quiet = services.checkin_settings.quiet_hours.contains(services.clock.now())
        keyboard = preview_keyboard(draft, sample, lang, quiet)
    else:
        text = step_text(draft, lang)
        if step == "districts":
            keyboard = districts_keyboard(draft, actor.is_coordinator, lang)
        elif step == "duration":
            keyboard = duration_keyboard(draft, lang)
        elif step == "tally":
            keyboard = tally_keyboard(draft, lang)
        else:
            keyboard = InlineKeyboardMarkup([cancel_row(draft, lang)])
            awaiting.expect(context, EVENT, draft=draft.id)
    await _put(context, f"{note}\n\n{text}" if note else text, keyboard, chat_id, edit)


async def show_refusal(
    context: BotContext,
    actor: Actor,
    draft: Draft,
    refusal: StartRefusal,
    *,
    chat_id: int | None = None,
    edit: object = None,
) -> None:
    """Step the draft back to what the service refused and ask again; Denied ends the draft."""
    lang = context.language
    match refusal:
        case InvalidEvent():
            draft.event = None
            note = event_problem(refusal, 0, lang)
        case InvalidDuration():
            draft.duration = draft.until = None
            note = duration_problem(refusal, lang)
        case NothingToSend(refused=refused):
            draft.districts_done = False
            note = nothing_to_send(refused, lang)
        case _:  # Denied: the role was taken away while the wizard was open
            drop_draft(context)
            await _put(context, t("peiling.not_allowed", lang), None, chat_id, edit)
            return
    await show_step(context, actor, draft, chat_id=chat_id, edit=edit, note=note)


async def edit_wizard(message: object, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Show text (and buttons, or none) in the wizard message."""
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        # A double tap can ask for the same screen twice; that screen is already shown.
        if "not modified" not in exc.message.lower():
            raise


async def _put(
    context: BotContext,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    chat_id: int | None,
    edit: object,
) -> None:
    if isinstance(edit, Message):
        await edit_wizard(edit, text, keyboard)
    elif chat_id is not None:
        await context.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
