"""Reminders about meetings, private and outside quiet hours, never twice.

Two kinds: one RSVP reminder to invited key figures who have not answered, a day before the
deadline (or halfway, for a short one); and a reminder a day before the meeting to those who
said they would come or might. Each reminder is marked in the database and committed before
it is sent: a restart finds it marked and skips it (a crash in between loses it instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from services.meetings.messages import messages_for
from services.outbox import Deps, Send, send_all
from services.ports import Notice
from storage.models import Meeting
from storage.queries import meeting_reminders as reminders
from storage.queries.meeting_reminders import DAY_BEFORE, RSVP


@dataclass(frozen=True)
class ReminderTimes:
    """When reminders go: quiet hours (local), and how long before the moment they remind."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Amsterdam"))
    quiet_start: time = time(22, 0)
    quiet_end: time = time(8, 0)
    before: timedelta = timedelta(hours=24)

    def quiet(self, at: datetime) -> bool:
        """Whether a moment falls in the quiet hours (the window may span midnight)."""
        t = at.astimezone(self.tz).time()
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= t < self.quiet_end
        return t >= self.quiet_start or t < self.quiet_end

    def out_of_quiet(self, at: datetime, limit: datetime) -> datetime:
        """The moment itself, or the end of its quiet hours — or, past the limit, their start."""
        if not self.quiet(at):
            return at
        local = at.astimezone(self.tz)
        end = datetime.combine(local.date(), self.quiet_end, self.tz)
        if end <= local:
            end += timedelta(days=1)
        if end.astimezone(UTC) < limit:
            return end.astimezone(UTC)
        start = datetime.combine(local.date(), self.quiet_start, self.tz)
        if start > local:
            start -= timedelta(days=1)
        return (start - timedelta(minutes=1)).astimezone(UTC)

    def rsvp_moment(self, meeting: Meeting) -> datetime:
        """When the one RSVP reminder goes."""
        halfway = meeting.created_at + (meeting.rsvp_deadline - meeting.created_at) / 2
        moment = max(meeting.rsvp_deadline - self.before, halfway)
        return self.out_of_quiet(moment, meeting.rsvp_deadline)

    def day_before_moment(self, meeting: Meeting) -> datetime:
        """When the reminder to those coming goes."""
        return self.out_of_quiet(meeting.starts_at - self.before, meeting.starts_at)


class ReminderService:
    """Send the reminders that are due now; safe to run again and again."""

    def __init__(self, deps: Deps, times: ReminderTimes) -> None:
        self._deps = deps
        self._times = times

    async def send_due(self) -> int:
        """Mark and send every reminder due now; return how many were sent."""
        now = self._deps.clock.now()
        if self._times.quiet(now):
            return 0  # whatever came due in the night waits for the morning
        sends: list[Send] = []
        notifier = self._deps.notifier
        async with self._deps.uow() as uow:
            s = uow.session
            for meeting in await reminders.upcoming(s, now):
                if self._times.rsvp_moment(meeting) <= now < meeting.rsvp_deadline:
                    people = await reminders.without_answer(s, meeting.id)
                    marked = set(
                        await reminders.mark(s, meeting.id, [p.id for p in people], RSVP, now)
                    )
                    # The private invitation shows the whole meeting; no district of its own.
                    [message] = await messages_for(s, [(meeting, 0)], now, private=True)
                    message = replace(message, reminder=True)
                    for person in (p for p in people if p.id in marked):
                        chat = person.telegram_user_id
                        send = partial(notifier.send_meeting, chat, message, person.language)
                        sends.append((chat, send))
                if self._times.day_before_moment(meeting) <= now:
                    people = await reminders.coming(s, meeting.id, not_reminded=DAY_BEFORE)
                    marked = set(
                        await reminders.mark(
                            s, meeting.id, [p.id for p in people], DAY_BEFORE, now
                        )
                    )
                    notice = Notice(
                        "meeting.remind.tomorrow",
                        {"when": meeting.starts_at, "place": meeting.place, "meal": meeting.meal},
                    )
                    for person in (p for p in people if p.id in marked):
                        chat = person.telegram_user_id
                        sends.append(
                            (chat, partial(notifier.notify, chat, notice, person.language))
                        )
            await uow.commit()  # marked before anything is sent: never twice
        await send_all(self._deps, sends)
        return len(sends)
