"""/stoppen: a person leaves one district or all of them, after confirming with a button.

The buttons carry a random reference and an index into the districts shown; the names
themselves stay in the person's own user_data under that reference (names do not fit in
callback data). A press by anyone else, a forged reference or an index out of range finds
nothing and changes nothing. The service then only ever removes the presser's own
memberships, matched by the user id of the press.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from handlers.callback_data import CallbackData
from handlers.common import in_own_chat, label, reply, role_name
from handlers.context import BotContext
from handlers.i18n import t, tn
from services.members import Left
from services.outcomes import MembershipInfo

_PENDING = "leave_choices"  # user_data key: reference -> district names shown
_KEEP = 3
ALL = -1  # the index that means "every district"


@dataclass(frozen=True)
class LeavePick(CallbackData, prefix="stop"):
    """Leave the district at this index of those shown (ALL: every one)."""

    ref: str
    pick: int


@dataclass(frozen=True)
class LeaveCancel(CallbackData, prefix="stpx"):
    """Stay after all."""

    ref: str


def _pending(context: BotContext) -> dict[str, tuple[str, ...]]:
    user_data: dict[Any, Any] | None = context.user_data
    if user_data is None:
        return {}
    pending: dict[str, tuple[str, ...]] = user_data.setdefault(_PENDING, {})
    return pending


def memberships_text(memberships: tuple[MembershipInfo, ...], language: str | None) -> str:
    """'• bondgenoot van Overvecht' lines."""
    return "\n".join(
        t("leave.membership", language, role=role_name(m.role, language), district=m.district)
        for m in memberships
    )


def leave_keyboard(
    ref: str, memberships: tuple[MembershipInfo, ...], language: str | None
) -> InlineKeyboardMarkup:
    """One button per district (or one 'yes' for a single one), 'everywhere', and 'stay'."""
    cancel = [
        InlineKeyboardButton(
            label("leave.button.cancel", language), callback_data=LeaveCancel(ref).encode()
        )
    ]
    if len(memberships) == 1:
        yes = InlineKeyboardButton(
            label("leave.button.one", language), callback_data=LeavePick(ref, 0).encode()
        )
        return InlineKeyboardMarkup([[yes, *cancel]])
    rows = [
        [
            InlineKeyboardButton(
                label("leave.button.district", language, district=m.district),
                callback_data=LeavePick(ref, index).encode(),
            )
        ]
        for index, m in enumerate(memberships)
    ]
    everywhere = InlineKeyboardButton(
        label("leave.button.all", language), callback_data=LeavePick(ref, ALL).encode()
    )
    return InlineKeyboardMarkup([*rows, [everywhere], cancel])


def left_text(left: Left, language: str | None) -> str:
    """What a person reads after leaving."""
    items = ", ".join(
        t("leave.done.item", language, role=role_name(m.role, language), district=m.district)
        for m in left.memberships
    )
    return tn("leave.done", len(left.memberships), language, memberships=items)


async def ask(update: Update, context: BotContext) -> None:
    """Show what the person could leave and ask them to confirm."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = context.language
    options = await context.services.members.leave(user.id)
    if not options.memberships:
        await reply(message, t("leave.nothing", lang))
        return
    pending = _pending(context)
    ref = secrets.token_urlsafe(6)
    pending[ref] = tuple(m.district for m in options.memberships)
    while len(pending) > _KEEP:
        pending.pop(next(iter(pending)))
    await message.reply_text(
        t("leave.question", lang, memberships=memberships_text(options.memberships, lang)),
        parse_mode=ParseMode.HTML,
        reply_markup=leave_keyboard(ref, options.memberships, lang),
    )


async def confirm(update: Update, context: BotContext) -> None:
    """Leave the district pressed, or all of them."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = context.language
    parsed = LeavePick.parse(query.data)
    shown = _pending(context).get(parsed.ref) if parsed and in_own_chat(update) else None
    if parsed is None or shown is None or not ALL <= parsed.pick < len(shown):
        await query.answer(t("leave.button.stale", lang))
        return
    district = None if parsed.pick == ALL else shown[parsed.pick]
    outcome = await context.services.members.confirm_leave(user.id, district)
    _pending(context).pop(parsed.ref, None)
    await query.answer()
    text = left_text(outcome, lang) if isinstance(outcome, Left) else t("leave.nothing_now", lang)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML)


async def cancel(update: Update, context: BotContext) -> None:
    """Stay after all: nothing changes."""
    query = update.callback_query
    if query is None:
        return
    lang = context.language
    parsed = LeaveCancel.parse(query.data)
    if (
        parsed is None
        or not in_own_chat(update)
        or _pending(context).pop(parsed.ref, None) is None
    ):
        await query.answer(t("leave.button.stale", lang))
        return
    await query.answer()
    await query.edit_message_text(t("leave.cancelled", lang), parse_mode=ParseMode.HTML)
