"""A notifier for check-in tests: posts check-ins, can be told to fail or to 'crash'."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fakes import FakeNotifier

from services.checkins.views import CheckInMessage, CheckInSummary, DeliveryReport
from services.ports import Sent


class Crash(Exception):
    """The process dies here (raised from inside a send)."""


def retry(description: str = "Flood control exceeded. Retry in 3 seconds") -> Sent:
    """What a 429, a time-out or a 5xx looks like to the services."""
    return Sent(False, error="retry", description=description)


def kicked() -> Sent:
    """A 403 in a group."""
    return Sent(False, error="kicked", description="Forbidden: bot was kicked from the group")


def blocked() -> Sent:
    """A 403 in a private chat."""
    return Sent(False, error="blocked", description="Forbidden: bot was blocked by the user")


def migrated(to: int) -> Sent:
    """The group became a supergroup."""
    return Sent(False, error="migrated", description="Group migrated", migrate_to_chat_id=to)


def failed(description: str = "Bad Request: chat not found") -> Sent:
    """Anything else Telegram refuses."""
    return Sent(False, error="failed", description=description)


@dataclass
class CheckInNotifier(FakeNotifier):
    """FakeNotifier plus the check-in methods; scripted answers per chat, in order."""

    posts: list[tuple[int, int, CheckInMessage]] = field(default_factory=list)
    edits: list[tuple[int, int, CheckInMessage]] = field(default_factory=list)
    reports: list[tuple[int, DeliveryReport]] = field(default_factory=list)
    summaries: list[tuple[int, CheckInSummary]] = field(default_factory=list)
    post_attempts: list[int] = field(default_factory=list)
    script: dict[int, list[Sent]] = field(default_factory=lambda: defaultdict(list))
    # Raise Crash before Telegram sees the send, or right after it accepted it.
    crash_before: set[int] = field(default_factory=set)
    crash_after: set[int] = field(default_factory=set)
    edit_script: list[Sent] = field(default_factory=list)
    next_id: int = 500

    def answer(self, chat_id: int, *sents: Sent) -> None:
        """Answer the next sends to this chat with these outcomes (then succeed)."""
        self.script[chat_id].extend(sents)

    async def send_checkin(
        self, chat_id: int, message: CheckInMessage, language: str | None = None
    ) -> Sent:
        """Post a check-in, or answer as scripted."""
        self.post_attempts.append(chat_id)
        if chat_id in self.crash_before:
            self.crash_before.discard(chat_id)
            raise Crash(f"before sending to {chat_id}")
        if self.script.get(chat_id):
            return self.script[chat_id].pop(0)
        if chat_id in self.blocked:
            return blocked() if chat_id > 0 else kicked()
        self.next_id += 1
        self.posts.append((chat_id, self.next_id, message))
        if chat_id in self.crash_after:
            self.crash_after.discard(chat_id)
            raise Crash(f"after Telegram accepted the send to {chat_id}")
        return Sent(True, message_id=self.next_id)

    async def edit_checkin(
        self, chat_id: int, message_id: int, message: CheckInMessage, language: str | None = None
    ) -> Sent:
        """Record an edit of a posted check-in, or answer as scripted."""
        if self.edit_script:
            return self.edit_script.pop(0)
        self.edits.append((chat_id, message_id, message))
        return Sent(True, message_id=message_id)

    async def send_delivery_report(
        self, chat_id: int, report: DeliveryReport, language: str | None = None
    ) -> Sent:
        """Record a delivery report."""
        if chat_id in self.blocked:
            return blocked()
        self.reports.append((chat_id, report))
        return Sent(True, message_id=1)

    async def send_summary(
        self, chat_id: int, summary: CheckInSummary, language: str | None = None
    ) -> Sent:
        """Record a summary."""
        if chat_id in self.blocked:
            return blocked()
        self.summaries.append((chat_id, summary))
        return Sent(True, message_id=1)

    def posted_to(self, chat_id: int) -> list[tuple[int, CheckInMessage]]:
        """(message id, message) of every check-in posted to a chat."""
        return [(mid, m) for cid, mid, m in self.posts if cid == chat_id]

    def message_id(self, chat_id: int, checkin_id: int) -> int:
        """The id of the check-in's message in a chat (exactly one must exist)."""
        [mid] = [mid for mid, m in self.posted_to(chat_id) if m.checkin_id == checkin_id]
        return mid

    def clear(self) -> None:
        """Forget everything recorded so far, check-in posts included."""
        super().clear()
        for log in (self.posts, self.edits, self.reports, self.summaries, self.post_attempts):
            log.clear()
