"""Plain data held by the sandbox: accounts, chats, messages, files, callback queries."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

ChatType = Literal["private", "group", "supergroup"]
ACTIVE = frozenset({"creator", "administrator", "member", "restricted"})


def now() -> datetime:
    """Current wall time, timezone-aware (UTC)."""
    return datetime.now(UTC)


@dataclass(eq=False)
class User:
    """A Telegram account: a simulated person or a bot."""

    id: int
    first_name: str
    is_bot: bool = False
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    @property
    def full_name(self) -> str:
        """First and last name joined."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass(eq=False)
class BotAccount:
    """A bot known to the sandbox, addressed by its token."""

    user: User
    token: str
    can_join_groups: bool = True
    privacy_mode: bool = True
    supports_inline_queries: bool = False

    @property
    def id(self) -> int:
        """The bot's user id (the number before ':' in its token)."""
        return self.user.id

    @property
    def username(self) -> str:
        """The bot's username without '@'."""
        return self.user.username or ""


@dataclass(eq=False)
class StoredFile:
    """An uploaded file kept in memory so tests can read it back."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    file_path: str = ""

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass
class Edit:
    """One earlier version of a message, kept when it was edited."""

    date: datetime
    text: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None


@dataclass(eq=False)
class Message:
    """A message in a chat, from a person or a bot, with its edit history."""

    chat: Chat
    message_id: int
    sender: User
    date: datetime
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    reply_keyboard: dict[str, Any] | None = None
    reply_to: Message | None = None
    document: StoredFile | None = None
    photo: list[StoredFile] | None = None
    service: dict[str, Any] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    edit_date: datetime | None = None
    deleted: bool = False
    deleted_date: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def chat_id(self) -> int:
        """Id of the chat the message is in."""
        return self.chat.id

    @property
    def from_bot(self) -> bool:
        """True when a bot sent this message."""
        return self.sender.is_bot

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        """Rows of inline keyboard buttons (empty when there is none)."""
        if not self.reply_markup:
            return []
        rows: list[list[dict[str, Any]]] = self.reply_markup.get("inline_keyboard", [])
        return rows

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """All inline buttons, row by row."""
        return [button for row in self.keyboard for button in row]

    @property
    def button_texts(self) -> list[str]:
        """The visible labels of all inline buttons."""
        return [str(button["text"]) for button in self.buttons]

    def find_button(
        self, *, data: str | None = None, text: str | None = None
    ) -> dict[str, Any] | None:
        """The first inline button whose callback_data or text matches."""
        for button in self.buttons:
            if data is not None and button.get("callback_data") == data:
                return button
            if text is not None and button.get("text") == text:
                return button
        return None

    @property
    def history(self) -> list[str | None]:
        """All texts this message had, oldest first, ending with the current one."""
        return [edit.text for edit in self.edits] + [self.text]


@dataclass
class CallbackAnswer:
    """What the bot answered (answerCallbackQuery) to a button press."""

    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    date: datetime


@dataclass(eq=False)
class CallbackQuery:
    """A button press made by a person, waiting for the bot's answer."""

    id: str
    bot_id: int
    sender: User
    message: Message
    chat_instance: str
    data: str | None
    created: float
    answered: asyncio.Future[CallbackAnswer]
    answer: CallbackAnswer | None = None


@dataclass(eq=False)
class Chat:
    """A private chat (one person with one bot), a group or a supergroup."""

    id: int
    type: ChatType
    title: str | None = None
    person: User | None = None
    bot_id: int | None = None
    username: str | None = None
    members: dict[int, str] = field(default_factory=dict)
    kicked_bots: set[int] = field(default_factory=set)
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    migrated_to: int | None = None
    migrated_from: int | None = None
    pinned: list[int] = field(default_factory=list)
    started: bool = False
    blocked: bool = False
    created: datetime = field(default_factory=now)

    @property
    def is_group(self) -> bool:
        """True for groups and supergroups."""
        return self.type != "private"

    def status_of(self, user_id: int) -> str:
        """Membership status of a user: creator/administrator/member/left/kicked."""
        if self.type == "private":
            return "member" if user_id in (self.bot_id, self.person and self.person.id) else "left"
        return self.members.get(user_id, "left")

    def is_active_member(self, user_id: int) -> bool:
        """True when the user is currently in the group."""
        return self.status_of(user_id) in ACTIVE

    @property
    def member_count(self) -> int:
        """Number of present members, bots included."""
        if self.type == "private":
            return 2
        return sum(1 for status in self.members.values() if status in ACTIVE)

    def message_list(self, include_deleted: bool = False) -> list[Message]:
        """Messages in order of sending."""
        return [m for m in self.messages.values() if include_deleted or not m.deleted]
