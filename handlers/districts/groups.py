"""Groups: the bot added or removed, /koppel and its confirmation, supergroup migration."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import ChatMember, ChatMemberRestricted, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import ChatMemberHandler

from handlers.common import note_refused
from handlers.context import BotContext
from handlers.districts.commands import command_rest
from handlers.districts.group_keyboards import ReplaceGroup, confirm_keyboard
from handlers.districts.group_texts import added_text, link_answer, link_reply
from handlers.i18n import t
from services.commands import ALIASES
from services.groups import NeedsConfirmation
from services.outcomes import Denied

log = logging.getLogger(__name__)

_GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
LINK_COMMAND = "koppel"


class GroupMembershipHandler(ChatMemberHandler[BotContext, None]):
    """my_chat_member updates from groups only; a private one (blocked bot) is not ours."""

    def __init__(self) -> None:
        super().__init__(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)

    def check_update(self, update: object) -> bool:
        """Accept the bot's own membership changes in groups and supergroups."""
        return (
            super().check_update(update)
            and isinstance(update, Update)
            and update.effective_chat is not None
            and update.effective_chat.type in _GROUP_TYPES
        )


def _present(member: ChatMember) -> bool:
    """Tell whether this membership puts the bot inside the group."""
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in (
        ChatMember.MEMBER,
        ChatMember.ADMINISTRATOR,
        ChatMember.OWNER,
    )


async def bot_membership_changed(update: Update, context: BotContext) -> None:
    """Record the bot being added to a group (and say why it is there) or removed from it."""
    change, chat = update.my_chat_member, update.effective_chat
    if change is None or chat is None:
        return
    was, now = _present(change.old_chat_member), _present(change.new_chat_member)
    services = context.services
    if now and not was:
        added = await services.groups.group_added(
            chat.id, chat.title or "", chat.type, change.from_user.id
        )
        text = added_text(added, context.language)
        if text is not None:
            await _in_group(
                context,
                chat.id,
                context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML),
            )
    elif was and not now:
        await services.group_lifecycle.mark_group_unreachable(chat.id, "removed")


async def koppel(update: Update, context: BotContext) -> None:
    """Link this group to a district (coordinators only); replacing a group asks first."""
    user, message, chat = update.effective_user, update.effective_message, update.effective_chat
    if user is None or message is None or chat is None:
        return
    services = context.services
    outcome = await services.groups.link_group(
        services.actor(user.id, user.full_name),
        chat.id,
        chat.title or "",
        command_rest(message.text),
        chat_type=chat.type,
    )
    text = link_reply(outcome, context.language)
    # Quoting the command keeps the district name with the question for the buttons.
    keyboard = (
        confirm_keyboard(context.language) if isinstance(outcome, NeedsConfirmation) else None
    )
    await _in_group(
        context,
        chat.id,
        message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=True, reply_markup=keyboard),
    )
    if isinstance(outcome, Denied):
        await note_refused(update, context, "/koppel")


def district_of_question(message: object) -> str | None:
    """The district named in the /koppel command a confirmation question replies to."""
    if not isinstance(message, Message) or message.reply_to_message is None:
        return None
    command = message.reply_to_message.text or ""
    word = command.split(None, 1)[0] if command.strip() else ""
    if word.split("@", 1)[0].casefold() not in (f"/{LINK_COMMAND}", f"/{ALIASES[LINK_COMMAND]}"):
        return None
    return command_rest(command) or None


async def replace_choice(update: Update, context: BotContext) -> None:
    """Handle 'Ja, vervang' / 'Nee' under the question; only a coordinator's press counts."""
    query, chat = update.callback_query, update.effective_chat
    if query is None:
        return
    user, language = query.from_user, context.language
    choice = ReplaceGroup.parse(query.data)
    district = district_of_question(query.message)
    if choice is None or district is None or chat is None:
        await query.answer(t("group.answer_stale", language))
        return
    services = context.services
    actor = services.actor(user.id, user.full_name)
    if not choice.replace:
        # 'Nee' changes nothing, so no service is asked; it only closes the question.
        if not actor.is_coordinator:
            await query.answer(t("group.answer_denied", language), show_alert=True)
            return
        await query.answer(t("group.answer_done", language))
        await _edit(query.message, t("group.kept", language, district=district))
        return
    outcome = await services.groups.link_group(
        actor, chat.id, chat.title or "", district, confirm=True, chat_type=chat.type
    )
    denied = isinstance(outcome, Denied)
    await query.answer(link_answer(outcome, language), show_alert=denied)
    if not denied:
        await _edit(query.message, link_reply(outcome, language))


async def _in_group(context: BotContext, chat_id: int, send: Awaitable[object]) -> None:
    """Send in a group; a 403 means the bot is no longer there, which the district must know."""
    try:
        await send
    except Forbidden:
        await context.services.group_lifecycle.mark_group_unreachable(chat_id, "forbidden")


async def _edit(message: object, text: str) -> None:
    """Replace the question by its outcome, buttons gone."""
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML)
    except BadRequest as exc:  # e.g. a double press: the text is already this one
        log.info("could not edit the confirmation question: %s", exc)


async def migrated(update: Update, context: BotContext) -> None:
    """Move a group to its supergroup's new chat id; both service messages may arrive."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    result = await context.services.group_lifecycle.migrate_group(old, new)
    log.info("group %s became supergroup %s: %s", old, new, result)
