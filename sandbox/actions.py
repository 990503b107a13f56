"""What simulated people do, turned into messages and updates exactly as Telegram sends them."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable
from typing import Any

from sandbox.entities import auto_entities, trim, utf16_len
from sandbox.models import BotAccount, CallbackQuery, Chat, Edit, Message, User, now
from sandbox.serialize import callback_query_json, member_update_json, message_json, user_json
from sandbox.state import World

_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class SandboxError(ValueError):
    """A simulated action that Telegram's clients would not allow."""


def _require_member(chat: Chat, person: User) -> None:
    """A person can only act in a group they are in."""
    if chat.is_group and not chat.is_active_member(person.id):
        raise SandboxError(f"{person.first_name} is not a member of chat {chat.id}")
    if chat.migrated_to is not None:
        raise SandboxError(f"chat {chat.id} was migrated to {chat.migrated_to}")


def open_private(world: World, person: User, bot: BotAccount) -> Chat:
    """The private chat of a person with a bot, which the person is about to write in."""
    chat = world.private_chat(bot, person)
    assert chat is not None
    if chat.blocked:
        raise SandboxError(f"{person.first_name} has blocked @{bot.username}")
    chat.started = True
    return chat


def send_text(
    world: World, person: User, chat: Chat, text: str, reply_to: Message | None = None
) -> Message:
    """A person sends text (commands get bot_command entities) to a chat."""
    _require_member(chat, person)
    if chat.type == "private":
        if chat.person is not person:
            raise SandboxError("that is someone else's private chat")
        if chat.blocked:
            raise SandboxError(f"{person.first_name} has blocked the bot")
        chat.started = True
    text, _ = trim(text, [])
    if not text:
        raise SandboxError("Telegram clients do not send empty messages")
    if utf16_len(text) > 4096:
        raise SandboxError("message is too long")
    if reply_to is not None and reply_to.chat is not chat:
        raise SandboxError("can only reply to a message in the same chat")
    message = world.add_message(
        chat, person, text=text, entities=auto_entities(text), reply_to=reply_to
    )
    world.dispatch(chat, message)
    return message


def start(world: World, person: User, bot: BotAccount, payload: str | None = None) -> Message:
    """/start, or the deep link t.me/<bot>?start=<payload> ('/start <payload>')."""
    if payload is not None and not _PAYLOAD.match(payload):
        raise SandboxError("a start payload is 1-64 characters of A-Z, a-z, 0-9, _ and -")
    chat = open_private(world, person, bot)
    return send_text(world, person, chat, "/start" if payload is None else f"/start {payload}")


def edit_text(world: World, person: User, message: Message, text: str) -> Message:
    """A person edits their own earlier message (edited_message update)."""
    if message.sender.id != person.id:
        raise SandboxError("people can only edit their own messages")
    if message.deleted or message.text is None:
        raise SandboxError("message cannot be edited")
    text, _ = trim(text, [])
    if not text or text == message.text:
        raise SandboxError("edit must change the text")
    message.edits.append(
        Edit(message.edit_date or message.date, message.text, message.entities, None)
    )
    message.text, message.entities = text, auto_entities(text)
    message.edit_date = now()
    world.changed()
    world.dispatch(message.chat, message, "edited_message")
    return message


def press(
    world: World,
    person: User,
    message: Message,
    data: str | None = None,
    text: str | None = None,
    *,
    forged: bool = False,
    bot: BotAccount | None = None,
) -> CallbackQuery:
    """A person presses an inline button (or forges a press); the bot gets callback_query."""
    if message.deleted:
        raise SandboxError("message was deleted")
    if message.chat.type == "private" and message.chat.person is not person:
        raise SandboxError("that message is in someone else's private chat")
    if message.chat.is_group and not message.chat.is_active_member(person.id):
        raise SandboxError(f"{person.first_name} is not a member of chat {message.chat.id}")
    if not forged:
        button = message.find_button(data=data, text=text)
        if button is None:
            raise SandboxError(f"no button with data={data!r} text={text!r}")
        if "callback_data" not in button:
            raise SandboxError(f"button {button['text']!r} is not a callback button")
        data = str(button["callback_data"])
    target = bot or world.bots.get(message.sender.id)
    if target is None:
        raise SandboxError("only messages sent by a bot have inline keyboards")
    loop = asyncio.get_running_loop()
    query = CallbackQuery(
        id=world.next_query_id(),
        bot_id=target.id,
        sender=person,
        message=message,
        chat_instance=world.chat_instance(target.id, message.chat.id),
        data=data,
        created=time.monotonic(),
        answered=loop.create_future(),
    )
    world.callbacks[query.id] = query
    world.emit(target, "callback_query", callback_query_json(query))
    return query


def _announce_members(
    world: World, chat: Chat, actor: User, user: User, old: str, new: str
) -> None:
    """chat_member updates for admin bots of the chat (if they asked for them)."""
    date = now()
    for uid, status in chat.members.items():
        bot = world.bots.get(uid)
        if bot is not None and status == "administrator" and uid != user.id:
            world.emit(bot, "chat_member", member_update_json(chat, actor, date, user, old, new))


def _service(world: World, chat: Chat, actor: User, **fields: Any) -> Message:
    """Store and dispatch a service message."""
    message = world.add_message(chat, actor, service=fields)
    world.dispatch(chat, message)
    return message


def create_group(
    world: World,
    creator: User,
    title: str,
    members: Iterable[User] = (),
    bots: Iterable[BotAccount] = (),
    supergroup: bool = False,
    username: str | None = None,
) -> Chat:
    """A person creates a group with members and bots (group_chat_created)."""
    chat = world.new_group(title, supergroup)
    chat.username = username
    chat.members[creator.id] = "creator"
    for member in members:
        chat.members[member.id] = "member"
    bot_list = list(bots)
    for bot in bot_list:
        if not bot.can_join_groups:
            raise SandboxError(f"@{bot.username} can't be added to groups")
        chat.members[bot.id] = "member"
    date = now()
    for bot in bot_list:
        world.emit(
            bot,
            "my_chat_member",
            member_update_json(chat, creator, date, bot.user, "left", "member"),
        )
    key = "supergroup_chat_created" if supergroup else "group_chat_created"
    _service(world, chat, creator, **{key: True})
    return chat


def add_bot(world: World, actor: User, chat: Chat, bot: BotAccount, admin: bool = False) -> None:
    """A person adds a bot to a group: my_chat_member and new_chat_members."""
    _require_member(chat, actor)
    if not bot.can_join_groups:
        raise SandboxError(f"@{bot.username} can't be added to groups")
    old = chat.status_of(bot.id)
    if old in ("member", "administrator"):
        raise SandboxError(f"@{bot.username} is already in chat {chat.id}")
    new = "administrator" if admin else "member"
    chat.members[bot.id] = new
    chat.kicked_bots.discard(bot.id)
    world.emit(bot, "my_chat_member", member_update_json(chat, actor, now(), bot.user, old, new))
    _announce_members(world, chat, actor, bot.user, old, new)
    joined = user_json(bot.user)
    _service(
        world,
        chat,
        actor,
        new_chat_participant=joined,
        new_chat_member=joined,
        new_chat_members=[joined],
    )


def set_bot_admin(world: World, actor: User, chat: Chat, bot: BotAccount, admin: bool) -> None:
    """Promote a bot to administrator or demote it to member (my_chat_member)."""
    old = chat.status_of(bot.id)
    if old not in ("member", "administrator"):
        raise SandboxError(f"@{bot.username} is not in chat {chat.id}")
    new = "administrator" if admin else "member"
    if new != old:
        chat.members[bot.id] = new
        world.emit(
            bot, "my_chat_member", member_update_json(chat, actor, now(), bot.user, old, new)
        )


def remove_bot(world: World, actor: User, chat: Chat, bot: BotAccount) -> None:
    """A person removes a bot: my_chat_member, then the left_chat_member message."""
    _require_member(chat, actor)
    old = chat.status_of(bot.id)
    if old not in ("member", "administrator"):
        raise SandboxError(f"@{bot.username} is not in chat {chat.id}")
    new = "kicked" if chat.type == "supergroup" else "left"
    chat.members[bot.id] = new
    chat.kicked_bots.add(bot.id)
    world.emit(bot, "my_chat_member", member_update_json(chat, actor, now(), bot.user, old, new))
    _announce_members(world, chat, actor, bot.user, old, new)
    gone = user_json(bot.user)
    message = _service(world, chat, actor, left_chat_participant=gone, left_chat_member=gone)
    world.emit(bot, "message", message_json(message))


def join(world: World, person: User, chat: Chat, invited_by: User | None = None) -> Message:
    """A person joins (or is added to) a group: new_chat_members and chat_member."""
    if chat.is_active_member(person.id):
        raise SandboxError(f"{person.first_name} is already in chat {chat.id}")
    if invited_by is not None:
        _require_member(chat, invited_by)
    old = chat.status_of(person.id)
    chat.members[person.id] = "member"
    actor = invited_by or person
    _announce_members(world, chat, actor, person, old, "member")
    joined = user_json(person)
    return _service(
        world,
        chat,
        actor,
        new_chat_participant=joined,
        new_chat_member=joined,
        new_chat_members=[joined],
    )


def leave(world: World, person: User, chat: Chat, removed_by: User | None = None) -> Message:
    """A person leaves (or is removed from) a group: left_chat_member and chat_member."""
    _require_member(chat, person)
    old = chat.status_of(person.id)
    new = "kicked" if removed_by is not None and chat.type == "supergroup" else "left"
    chat.members[person.id] = new
    actor = removed_by or person
    _announce_members(world, chat, actor, person, old, new)
    gone = user_json(person)
    return _service(world, chat, actor, left_chat_participant=gone, left_chat_member=gone)


def set_blocked(world: World, person: User, bot: BotAccount, blocked: bool) -> None:
    """Block or unblock a bot: my_chat_member with kicked/member in the private chat."""
    chat = world.private_chat(bot, person)
    assert chat is not None
    if chat.blocked == blocked:
        raise SandboxError("bot is already " + ("blocked" if blocked else "unblocked"))
    chat.blocked = blocked
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    world.emit(bot, "my_chat_member", member_update_json(chat, person, now(), bot.user, old, new))
    world.changed()


def migrate(world: World, person: User, chat: Chat) -> Chat:
    """Upgrade a group to a supergroup (-100… id); members and bots carry over."""
    if chat.type != "group":
        raise SandboxError("only basic groups can be migrated")
    if chat.status_of(person.id) not in ("creator", "administrator"):
        raise SandboxError(f"{person.first_name} is not an admin of chat {chat.id}")
    new = world.new_group(chat.title or "", supergroup=True)
    new.members = dict(chat.members)
    new.kicked_bots = set(chat.kicked_bots)
    new.migrated_from = chat.id
    _service(world, chat, person, migrate_to_chat_id=new.id)
    chat.migrated_to = new.id
    _service(world, new, person, migrate_from_chat_id=chat.id)
    return new
