"""The invitee's side: /start <token> shows the agreement; then join, decline, or move.

Where the token lives between opening the link and pressing a button
--------------------------------------------------------------------
The token is the invitation's only credential (43 characters; the database keeps its hash).
It does not go into the buttons: callback_data comes back as the client sends it, and it sits
in the chat on the person's devices, where anybody who later sees the chat could lift a
still-valid secret (nor would 43 characters pass the codec's 40-character fields). The
invitation id does not go in either: it is a small guessable number, and "join invitation
12" would be a press any forged client can send.

So opening a link stores the token, sealed (its hash, as the invitations table keeps it:
services/tokens.py), in the opener's own `context.user_data` under a fresh random reference
(8 characters), and the buttons carry only that reference. PTB keys
user_data by the user id of the update, which for a button is the person who pressed it:
someone else's press — even with the very same callback data — finds nothing. So do a forged
or stale reference, and a press forged onto a bot message outside the presser's private chat
(a group's check-in, say). Those presses get a short answer and change nothing.

A found reference is used up at once (so a double press cannot accept twice), and the
services still check the token in full at press time: expired, used and revoked links fail
there, not here.

Trade-off: user_data is held in memory, so after a restart the buttons answer "open your
link again". The link itself still works, because nothing is stored before joining. Webhook
workers on PostgreSQL share user_data through the database (bot/shared_state.py): there the
sealed token sits in the person's user_states row until it is used, the person is erased,
or a day has passed; like the invitations table, it lets nobody join who reads it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers.callback_data import CallbackData
from handlers.common import arguments, in_own_chat, label, reply
from handlers.context import BotContext
from handlers.i18n import t
from handlers.people.intake_texts import agreement_text, already_text, problem_text, welcome_text
from services.intake import (
    AlreadyMember,
    Declined,
    InvitationValid,
    Joined,
    LinkProblem,
    NeedsMoveConfirmation,
)
from services.tokens import TokenHash, seal

_PENDING = "intake_tokens"  # user_data key: reference -> sealed token (its hash)
_KEEP = 5  # links a person may have open at once; older references are forgotten


@dataclass(frozen=True)
class IntakeChoice(CallbackData, prefix="itk"):
    """Join or decline the invitation opened under this reference."""

    ref: str
    join: bool


@dataclass(frozen=True)
class IntakeMove(CallbackData, prefix="itm"):
    """Move from another district (or stay there) for the invitation under this reference."""

    ref: str
    move: bool


IntakeOutcome = Joined | AlreadyMember | NeedsMoveConfirmation | Declined | LinkProblem


def _pending(context: BotContext) -> dict[str, str]:
    user_data: dict[Any, Any] | None = context.user_data
    if user_data is None:  # updates without a user; never for presses and private messages
        return {}
    pending: dict[str, str] = user_data.setdefault(_PENDING, {})
    return pending


def _remember(context: BotContext, token: str) -> str:
    pending = _pending(context)
    ref = secrets.token_urlsafe(6)
    pending[ref] = seal(token)
    while len(pending) > _KEEP:
        pending.pop(next(iter(pending)))
    return ref


async def open_link(update: Update, context: BotContext) -> None:
    """Show the agreement for an invitation link (/start <token>), storing nothing."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = context.language
    token = arguments(context)
    offer = await context.services.intake.open_invitation(token, user.id)
    if not isinstance(offer, InvitationValid):
        await reply(message, problem_text(offer, lang))
        return
    if offer.current_role is offer.role:
        await reply(message, already_text(offer.district, offer.role, lang))
        return
    ref = _remember(context, token)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label("intake.button.join", lang),
                    callback_data=IntakeChoice(ref, True).encode(),
                ),
                InlineKeyboardButton(
                    label("intake.button.decline", lang),
                    callback_data=IntakeChoice(ref, False).encode(),
                ),
            ]
        ]
    )
    await message.reply_text(
        agreement_text(offer, context.services.tz, lang, context.services.privacy.policy),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        disable_web_page_preview=True,
    )


async def _press(
    update: Update, context: BotContext, parsed: IntakeChoice | IntakeMove | None
) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = context.language
    found = _pending(context).pop(parsed.ref, None) if parsed and in_own_chat(update) else None
    if parsed is None or found is None:
        await query.answer(t("intake.button.stale", lang))
        return
    sealed, token = found, TokenHash(found)
    wants = parsed.join if isinstance(parsed, IntakeChoice) else parsed.move
    intake = context.services.intake
    try:
        outcome: IntakeOutcome = (
            await intake.accept_invitation(
                token,
                user.id,
                user.full_name,
                language=lang,
                confirm_move=isinstance(parsed, IntakeMove),
            )
            if wants
            else await intake.decline_invitation(token)
        )
    except Exception:
        _pending(context)[parsed.ref] = sealed  # nothing happened: the button may be tried again
        raise
    await query.answer()
    await _without_buttons(query)
    if isinstance(outcome, NeedsMoveConfirmation):
        _pending(context)[parsed.ref] = sealed  # the same link, one question further
        await _ask_to_move(context, user.id, parsed.ref, outcome)
        return
    match outcome:
        case Joined():
            text = welcome_text(outcome, lang)
        case AlreadyMember(district=district, role=role):
            text = already_text(district, role, lang)
        case Declined(district=district) if isinstance(parsed, IntakeMove):
            text = t("intake.move.stayed", lang, district=district)
        case Declined():
            text = t("intake.declined", lang)
        case _:
            text = problem_text(outcome, lang)
    await context.bot.send_message(user.id, text, parse_mode=ParseMode.HTML)


async def _ask_to_move(
    context: BotContext, chat_id: int, ref: str, question: NeedsMoveConfirmation
) -> None:
    lang = context.language
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label("intake.button.move", lang, district=question.to_district),
                    callback_data=IntakeMove(ref, True).encode(),
                )
            ],
            [
                InlineKeyboardButton(
                    label("intake.button.stay", lang, district=question.from_district),
                    callback_data=IntakeMove(ref, False).encode(),
                )
            ],
        ]
    )
    text = t(
        "intake.move.question",
        lang,
        from_district=question.from_district,
        to_district=question.to_district,
    )
    await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def _without_buttons(query: CallbackQuery) -> None:
    # The agreement stays readable in the chat; only its buttons go, so they are pressed once.
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest:
        pass  # already without buttons, or too old to edit: nothing to take away


async def choose(update: Update, context: BotContext) -> None:
    """Join or decline after reading the agreement."""
    query = update.callback_query
    await _press(update, context, IntakeChoice.parse(query.data if query else None))


async def move(update: Update, context: BotContext) -> None:
    """Confirm moving from another district, or stay there."""
    query = update.callback_query
    await _press(update, context, IntakeMove.parse(query.data if query else None))
