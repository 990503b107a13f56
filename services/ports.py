"""Ports: what the services need from the outside world, without knowing Telegram."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # the check-in views import nothing from here; no cycle at run time
    from services.checkins.views import CheckInMessage, CheckInSummary, DeliveryReport
    from services.meetings.views import Headcount, MeetingMessage, TalkingPointsView


class Clock(Protocol):
    """Tell the time (aware, UTC)."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware in UTC."""
        return datetime.now(UTC)


@dataclass(frozen=True)
class Notice:
    """A message by text key with plain values; the Telegram side renders and escapes it.

    Values may be str, int, datetime (shown in the configured time zone) or lists of str.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)
    # For a text with plural forms: the number that chooses the form (also its `{n}`).
    count: int | None = None


SendError = Literal["blocked", "kicked", "migrated", "retry", "uncertain", "failed"]


@dataclass(frozen=True)
class Sent:
    """What came of a send: ok with a message id, or an error kind with Telegram's words."""

    ok: bool
    message_id: int | None = None
    # blocked: a person blocked the bot or never started it (403 in a private chat);
    # kicked: the bot is no longer in the group (403); migrated: group became a supergroup;
    # retry: flood limit, no connection or server error (worth trying again); uncertain: the
    # request went out and no answer came in time (Telegram may have done it); failed: else.
    error: SendError | None = None
    description: str = ""
    migrate_to_chat_id: int | None = None
    # A flood limit's wait (429 retry_after), in seconds: no retry may come sooner.
    retry_after: float | None = None


class Texts(Protocol):
    """The catalogs' text of a key in a language (Dutch when none), without placeholders.

    Services hold codes and text keys; the texts live in the handlers' catalogs, which
    services may not import: the composition root hands them this.
    """

    def __call__(self, key: str, language: str | None = None) -> str:
        """Return the text."""
        ...


class Notifier(Protocol):
    """Tell people and groups things; implemented over Telegram in handlers/."""

    async def notify(self, chat_id: int, notice: Notice, language: str | None = None) -> Sent:
        """Send one notice; never raises for what Telegram answers."""
        ...

    async def leave_chat(self, chat_id: int, notice: Notice | None = None) -> Sent:
        """Say one last notice in a group (if given) and leave it."""
        ...

    async def set_commands(
        self, chat_id: int, commands: Sequence[str], language: str | None = None
    ) -> Sent:
        """Show exactly these commands in a person's command menu (per-chat scope)."""
        ...

    async def send_checkin(
        self, chat_id: int, message: CheckInMessage, language: str | None = None
    ) -> Sent:
        """Post a check-in with its answer buttons, in a group or privately to a member."""
        ...

    async def edit_checkin(
        self, chat_id: int, message_id: int, message: CheckInMessage, language: str | None = None
    ) -> Sent:
        """Show a posted check-in anew: a changed tally, or closed with the final tally."""
        ...

    async def send_delivery_report(
        self, chat_id: int, report: DeliveryReport, language: str | None = None
    ) -> Sent:
        """Tell a chief where their check-in arrived and where not, and why."""
        ...

    async def send_summary(
        self, chat_id: int, summary: CheckInSummary, language: str | None = None
    ) -> Sent:
        """Send the per-district summary of a closed check-in."""
        ...

    async def send_meeting(
        self, chat_id: int, message: MeetingMessage, language: str | None = None
    ) -> Sent:
        """Post a meeting invitation with its RSVP buttons, in a group or privately."""
        ...

    async def edit_meeting(
        self, chat_id: int, message_id: int, message: MeetingMessage, language: str | None = None
    ) -> Sent:
        """Show a posted invitation anew: a changed count, RSVPs closed, or cancelled."""
        ...

    async def send_headcount(
        self, chat_id: int, headcount: Headcount, language: str | None = None
    ) -> Sent:
        """Send a meeting's headcount for the caterer (counts only)."""
        ...

    async def send_talking_points(
        self, chat_id: int, points: TalkingPointsView, language: str | None = None
    ) -> Sent:
        """Send a meeting's talking points privately to someone coming."""
        ...
