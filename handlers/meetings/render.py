"""Meeting invitations, dietary panels and headcounts as people read them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from handlers.i18n import t, tn
from handlers.meetings.keyboards import rsvp_keyboard
from handlers.render import local_time
from services.meetings.cadence import DistrictCadence
from services.meetings.dietary import DietaryView
from services.meetings.views import DIETARY_CODES, OTHER, Headcount, MeetingMessage, RsvpCounts


def count_line(counts: RsvpCounts, language: str | None) -> str:
    """'6 komen, 2 misschien, 1 kan niet' — or that nobody answered yet."""
    if not (counts.yes or counts.maybe or counts.no):
        return t("meeting.count.none", language)
    parts = [tn("meeting.count.yes", counts.yes, language)]
    if counts.maybe:
        parts.append(tn("meeting.count.maybe", counts.maybe, language))
    if counts.no:
        parts.append(tn("meeting.count.no", counts.no, language))
    return ", ".join(parts)


def render_meeting(
    message: MeetingMessage, tz: ZoneInfo, language: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The invitation's text, and its RSVP buttons while answers are taken."""
    d = message.details
    lines = [t("meeting.invite.reminder", language)] if message.reminder else []
    lines += [
        t("meeting.invite.head", language, districts=" + ".join(message.districts)),
        t("meeting.invite.when", language, when=local_time(d.starts_at, tz, language)),
        t("meeting.invite.place", language, place=d.place),
        t("meeting.invite.meal", language, meal=d.meal),
    ]
    if d.note:
        lines.append(t("meeting.invite.note", language, note=d.note))
    lines.append("")
    if message.cancelled:
        lines.append(t("meeting.invite.cancelled", language))
    elif message.open:
        until = local_time(d.rsvp_deadline, tz, language)
        lines.append(t("meeting.invite.answer_until", language, until=until))
    else:
        lines.append(t("meeting.invite.closed", language))
    if not message.cancelled:
        lines.append(count_line(message.counts, language))
    keyboard = None
    if message.open and not message.cancelled and message.meeting_id is not None:
        keyboard = rsvp_keyboard(message.meeting_id, language)
    return "\n".join(lines), keyboard


def need_names(codes: tuple[str, ...], free_text: str | None, language: str | None) -> str:
    """The person's own needs in words, for their own panel only."""
    names = [t(f"meeting.diet.need.{code}", language) for code in codes]
    if free_text:
        names.append(t("meeting.diet.other_named", language, text=free_text))
    return ", ".join(names) if names else t("meeting.diet.nothing", language)


def diet_text(view: DietaryView, tz: ZoneInfo, language: str | None) -> str:
    """The text of a person's own dietary panel (consent asked, or needs shown)."""
    when = local_time(view.starts_at, tz, language)
    if not view.consented:
        return t("meeting.diet.ask", language, when=when)
    return t(
        "meeting.diet.panel",
        language,
        when=when,
        needs=need_names(view.needs, view.free_text, language),
    )


def render_headcount(headcount: Headcount, tz: ZoneInfo, language: str | None) -> str:
    """The caterer's numbers: answers and needs as counts, never names."""
    c = headcount.counts
    lines = [
        t(
            "meeting.headcount.head",
            language,
            id=headcount.meeting_id,
            districts=" + ".join(headcount.districts),
            when=local_time(headcount.details.starts_at, tz, language),
        ),
        t(
            "meeting.headcount.answers",
            language,
            yes=c.yes,
            maybe=c.maybe,
            no=c.no,
            invited=headcount.invited,
        ),
        tn("meeting.headcount.total", c.headcount, language, meal=headcount.details.meal),
    ]
    if headcount.dietary:
        lines.append(t("meeting.headcount.dietary", language))
        for code in (*DIETARY_CODES, OTHER):
            n = headcount.dietary.get(code, 0)
            if n:
                lines.append(f"• {t(f'meeting.diet.need.{code}', language)}: {n}")
        for text in headcount.other_needs:
            lines.append(t("meeting.headcount.other_text", language, text=text))
    else:
        lines.append(t("meeting.headcount.no_dietary", language))
    return "\n".join(lines)


def cadence_lines(
    found: list[DistrictCadence], days: int, tz: ZoneInfo, language: str | None
) -> list[str]:
    """Each district's last and next meeting, flagged when it has gone too long without."""
    lines = [t("meeting.cadence.head", language, days=days)]
    for item in found:
        last = (
            t("meeting.cadence.never", language)
            if item.last is None
            else local_time(item.last, tz, language)
        )
        upcoming = (
            t("meeting.cadence.none_planned", language)
            if item.next is None
            else local_time(item.next, tz, language)
        )
        key = "meeting.cadence.overdue" if item.overdue else "meeting.cadence.district"
        lines.append(t(key, language, district=item.district, last=last, next=upcoming))
    return lines
