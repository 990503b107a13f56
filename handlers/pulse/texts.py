"""The texts of /puls: a schedule in one block, and why one could not be made."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from handlers.checkins.render import pulse_label
from handlers.checkins.wizard_texts import event_problem, nothing_to_send
from handlers.i18n import t, tn
from handlers.render import local_time
from services.checkins.outcomes import InvalidEvent, NothingToSend
from services.outcomes import Denied
from services.pulse.outcomes import InsideQuietHours, PulseLine, PulseTooLong
from services.pulse.service import ScheduleRefusal


def weekday_name(weekday: int, language: str | None) -> str:
    """'maandag' / 'Monday' (0 is Monday, as in Python and in Babel)."""
    return str(get_day_names("wide", locale="en" if language == "en" else "nl")[weekday])


def duration_text(duration: timedelta, language: str | None) -> str:
    """'3 dagen', '24 uur', '90 minuten'."""
    minutes = int(duration.total_seconds() // 60)
    if minutes % (24 * 60) == 0 and minutes >= 48 * 60:
        return tn("pulse.duration.days", minutes // (24 * 60), language)
    if minutes % 60 == 0:
        return tn("pulse.duration.hours", minutes // 60, language)
    return tn("pulse.duration.minutes", minutes, language)


def rhythm_text(line: PulseLine, language: str | None) -> str:
    """'elke eerste maandag van de maand om 09:00', 'om de 2 weken op dinsdag om 19:30'."""
    weekday, at = weekday_name(line.weekday, language), line.at.strftime("%H:%M")
    if line.every_weeks == 0:
        ordinal = t(f"pulse.ordinal.{line.week_of_month or 1}", language)
        return t("pulse.rhythm.monthly", language, ordinal=ordinal, weekday=weekday, at=at)
    if line.every_weeks == 1:
        return t("pulse.rhythm.weekly", language, weekday=weekday, at=at)
    return t("pulse.rhythm.weeks", language, n=line.every_weeks, weekday=weekday, at=at)


def line_block(line: PulseLine, tz: ZoneInfo, language: str | None) -> list[str]:
    """One schedule: what, when, where, and when it comes next (or that it is paused)."""
    where = ", ".join(line.districts) or t("pulse.all_districts", language)
    lines = [
        t(
            "pulse.line.head",
            language,
            id=line.schedule_id,
            label=pulse_label(line.every_weeks, language),
            question=line.question,
        ),
        t(
            "pulse.line.when",
            language,
            rhythm=rhythm_text(line, language),
            duration=duration_text(line.duration, language),
            districts=where,
        ),
    ]
    if line.paused:
        lines.append(t("pulse.line.paused", language))
    else:
        lines.append(t("pulse.line.next", language, at=local_time(line.next_due_at, tz, language)))
    return lines


def refusal_text(outcome: ScheduleRefusal, question: str, language: str | None) -> str:
    """One reason why the pulse was not scheduled."""
    match outcome:
        case InsideQuietHours(start=start, end=end):
            return t(
                "pulse.quiet_hours",
                language,
                start=start.strftime("%H:%M"),
                end=end.strftime("%H:%M"),
            )
        case PulseTooLong(max_duration=longest):
            return t("pulse.too_long", language, max=duration_text(longest, language))
        case InvalidEvent():
            return event_problem(outcome, len(question), language)
        case NothingToSend(refused=refused):
            return nothing_to_send(refused, language)
        case Denied():
            return t("pulse.denied", language)
