"""Talking points and actions as people read them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.common import local_date
from handlers.i18n import number, t, tn
from handlers.render import local_time
from services.meetings.views import ActionView, CheckInPoint, DistrictPoints, TalkingPointsView


def median_words(value: float | None, language: str | None) -> str:
    """'3 (Onrust)' on a level, '2,5' between two, '–' without ranked answers."""
    if value is None:
        return "–"
    if value == int(value):
        return f"{int(value)} ({t(f'scale.{int(value)}', language)})"
    return number(value, language)


def change_words(change: float | None, language: str | None) -> str:
    """'+0,5', '−1' or 'gelijk' against the check-in before; '' when there is none."""
    if change is None:
        return ""
    if change == 0:
        return t("meeting.points.same", language)
    sign = "+" if change > 0 else "−"
    return t("meeting.points.change", language, change=f"{sign}{number(abs(change), language)}")


def owner_words(action: ActionView, language: str | None) -> str:
    """The owner as lists show it: the person's name, or the role."""
    if action.owner_name is not None:
        return action.owner_name
    return t(f"meeting.action.role.{action.owner_role or 'chef'}", language)


def action_line(action: ActionView, tz: ZoneInfo, language: str | None) -> str:
    """'#4 Overvecht: description — owner, vóór 15 dec. 2026'."""
    return t(
        "meeting.action.line",
        language,
        id=action.action_id,
        district=action.district,
        description=action.description,
        owner=owner_words(action, language),
        due=local_date(action.due_at, tz, language),
    )


def _checkin_line(point: CheckInPoint, tz: ZoneInfo, language: str | None) -> str:
    return t(
        "meeting.points.checkin",
        language,
        id=point.checkin_id,
        date=local_date(point.opened_at, tz, language),
        event=point.event,
        responses=tn("meeting.points.responses", point.responded, language),
        median=median_words(point.median, language),
        change=change_words(point.change, language),
    ).rstrip()


def _district_lines(points: DistrictPoints, tz: ZoneInfo, language: str | None) -> list[str]:
    since = local_date(points.since, tz, language)
    lines = [t("meeting.points.district", language, district=points.district, since=since)]
    lines += [_checkin_line(c, tz, language) for c in points.checkins]
    if not points.checkins:
        lines.append(t("meeting.points.no_checkins", language))
    if points.themes:
        themes = ", ".join(f"{t(f'theme.{code}', language)} ({n})" for code, n in points.themes)
        lines.append(t("meeting.points.themes", language, themes=themes))
    if points.contact_requests or points.acute_alerts:
        lines.append(
            t(
                "meeting.points.alerts",
                language,
                contacts=points.contact_requests,
                acute=points.acute_alerts,
            )
        )
    for action in points.open_actions:
        lines.append(
            t(
                "meeting.points.open_action",
                language,
                description=action.description,
                owner=owner_words(action, language),
                due=local_date(action.due_at, tz, language),
            )
        )
    return lines


def render_points(view: TalkingPointsView, tz: ZoneInfo, language: str | None) -> str:
    """The talking points: per district what happened since its last meeting, then notes."""
    view = view.kept()
    lines = [
        t(
            "meeting.points.head",
            language,
            id=view.meeting_id,
            when=local_time(view.starts_at, tz, language),
        )
    ]
    for district in view.districts:
        lines += ["", *_district_lines(district, tz, language)]
    if view.notes:
        lines += ["", t("meeting.points.notes", language)]
        lines += [f"• {t('meeting.points.note', language, note=note)}" for note in view.notes]
    return "\n".join(lines)
