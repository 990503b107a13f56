"""The texts of the /peiling wizard: each step's question, the preview, what came of it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from handlers.checkins.render import render_checkin
from handlers.checkins.wizard_draft import Draft
from handlers.i18n import t, tn
from handlers.render import local_time
from services.checkins.outcomes import (
    CheckInStarted,
    DistrictChoice,
    InvalidDuration,
    InvalidEvent,
    Preview,
    RefusedDistrict,
)


def refused_lines(refused: Iterable[RefusedDistrict], language: str | None) -> list[str]:
    """'• Zuilen: wijk is gearchiveerd' per district left out."""
    return [
        t(
            "peiling.refused_line",
            language,
            district=r.name,
            reason=t(f"checkin.reason.{r.reason}", language),
        )
        for r in refused
    ]


def refused_choices(choices: Iterable[DistrictChoice]) -> list[RefusedDistrict]:
    """The districts of a choice that cannot go, with why."""
    return [RefusedDistrict(c.name, c.refusal) for c in choices if c.refusal is not None]


def nothing_to_send(refused: Iterable[RefusedDistrict], language: str | None) -> str:
    """No district can be asked: say which were refused and why."""
    return "\n".join([t("peiling.nothing_to_send", language), *refused_lines(refused, language)])


def event_problem(problem: InvalidEvent, length: int, language: str | None) -> str:
    """Why the event text cannot be used."""
    if problem.reason == "empty":
        return t("peiling.event_empty", language)
    return t("peiling.event_too_long", language, max=problem.max_length, length=length)


def duration_problem(problem: InvalidDuration, language: str | None) -> str:
    """Why the closing time cannot be used (it passed while the wizard was open, or too far)."""
    if problem.reason == "not_positive":
        return t("peiling.invalid_duration.not_positive", language)
    days = max(problem.max_duration // timedelta(days=1), 1)
    return tn("peiling.invalid_duration.too_long", days, language)


def until_problem(
    until: datetime, now: datetime, longest: timedelta, tz: ZoneInfo, language: str | None
) -> str | None:
    """Why a typed closing time cannot be used, or None when it can."""
    at = local_time(until, tz, language)
    if until <= now:
        return t("peiling.until_past", language, at=at)
    if until - now > longest:
        days = max(longest // timedelta(days=1), 1)
        return tn("peiling.until_too_far", days, language, at=at)
    return None


def _districts(draft: Draft, language: str | None) -> str:
    if draft.all_districts:
        return t("peiling.summary.all_districts", language)
    return ", ".join(draft.choices[i].name for i in sorted(draft.selected))


def step_text(draft: Draft, language: str | None) -> str:
    """The question of the draft's current step, under what was chosen so far."""
    step = draft.step()
    lines = []
    if draft.event is not None:
        lines.append(t("peiling.summary.event", language, event=draft.event))
    if draft.districts_done:
        districts = _districts(draft, language)
        lines.append(t("peiling.summary.districts", language, districts=districts))
    question = {
        "event": "peiling.ask_event",
        "districts": "peiling.ask_districts",
        "duration": "peiling.ask_duration",
        "tally": "peiling.ask_tally",
    }.get(step, "peiling.ask_event")
    return "\n".join([*lines, "", t(question, language)] if lines else [t(question, language)])


def preview_text(
    preview: Preview, tz: ZoneInfo, language: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The first group's message exactly as it will be sent, and what goes where."""
    first = preview.messages[0]
    group_text, sample = render_checkin(first, tz, language)
    names = [m.district for m in preview.messages]
    lines = [t("peiling.preview.head", language, district=first.district), "", group_text]
    lines.append("")
    if len(names) > 1:
        lines.append(t("peiling.preview.each_own", language))
    lines.append(tn("peiling.preview.goes_to", len(names), language, districts=", ".join(names)))
    if preview.refused:
        lines.append(t("peiling.preview.refused", language))
        lines.extend(refused_lines(preview.refused, language))
    key = "peiling.preview.tally_shown" if preview.show_tally else "peiling.preview.tally_hidden"
    lines.append(t(key, language))
    closes = local_time(preview.closes_at, tz, language)
    lines.append(t("peiling.preview.closes", language, at=closes))
    lines.extend(["", t("peiling.preview.confirm", language)])
    return "\n".join(lines), sample


def sent_text(started: CheckInStarted, tz: ZoneInfo, language: str | None) -> str:
    """'Peiling #N verstuurd naar … wijken; sluit …', the refused ones, the report to come."""
    lines = [
        tn(
            "peiling.sent",
            len(started.targeted),
            language,
            id=started.checkin_id,
            districts=", ".join(started.targeted),
            at=local_time(started.closes_at, tz, language),
        )
    ]
    if started.practice:
        lines.append(t("practice.mark", language))
    if started.refused:
        lines.append(t("peiling.preview.refused", language))
        lines.extend(refused_lines(started.refused, language))
    lines.append(t("peiling.sent_report", language))
    return "\n".join(lines)
