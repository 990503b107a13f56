"""Fake ports for service tests: a clock you move by hand and a notifier that keeps a log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.ports import Notice, Sent


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, start: datetime) -> None:
        assert start.tzinfo is not None
        self._now = start

    def now(self) -> datetime:
        """Return the current fake time (aware)."""
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by a timedelta's keyword arguments; return the new time."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        """Jump to a given time."""
        self._now = when


@dataclass
class FakeNotifier:
    """Record what people would have seen; chats in `blocked` answer like a 403."""

    transcript: list[tuple[int, str, dict[str, object]]] = field(default_factory=list)
    left: list[tuple[int, str | None]] = field(default_factory=list)
    menus: dict[int, list[str]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    attempts: list[int] = field(default_factory=list)
    # The language of each notice (same order as transcript) and of each chat's last menu.
    languages: list[str | None] = field(default_factory=list)
    menu_languages: dict[int, str | None] = field(default_factory=dict)

    async def notify(self, chat_id: int, notice: Notice, language: str | None = None) -> Sent:
        """Record one notice, or refuse it as Telegram does for a blocked bot."""
        self.attempts.append(chat_id)
        if chat_id in self.blocked:
            return Sent(False, error="blocked", description="Forbidden: bot was blocked")
        self.transcript.append((chat_id, notice.key, dict(notice.params)))
        self.languages.append(language)
        return Sent(True, message_id=len(self.transcript))

    async def leave_chat(self, chat_id: int, notice: Notice | None = None) -> Sent:
        """Record a last word in a group and leaving it."""
        self.left.append((chat_id, notice.key if notice else None))
        if notice is not None:
            self.transcript.append((chat_id, notice.key, dict(notice.params)))
            self.languages.append(None)
        return Sent(True)

    async def set_commands(
        self, chat_id: int, commands: Sequence[str], language: str | None = None
    ) -> Sent:
        """Record a person's command menu."""
        if chat_id in self.blocked:
            return Sent(False, error="blocked", description="Forbidden: bot was blocked")
        self.menus[chat_id] = list(commands)
        self.menu_languages[chat_id] = language
        return Sent(True)

    def to(self, chat_id: int) -> list[tuple[str, dict[str, object]]]:
        """What one chat received, in order."""
        return [(key, params) for cid, key, params in self.transcript if cid == chat_id]

    def with_key(self, key: str) -> list[tuple[int, dict[str, object]]]:
        """Every chat that received a notice with this key, in order."""
        return [(cid, params) for cid, k, params in self.transcript if k == key]

    def clear(self) -> None:
        """Forget everything recorded so far (not the blocked chats)."""
        self.transcript.clear()
        self.languages.clear()
        self.menu_languages.clear()
        self.left.clear()
        self.menus.clear()
        self.attempts.clear()
