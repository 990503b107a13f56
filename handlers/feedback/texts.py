"""What the feedback wizard says: refusals, the prompt, the preview and where it went."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.i18n import t, tn
from handlers.render import local_time, render
from services.checkins.outcomes import Unknown
from services.feedback.outcomes import (
    AlreadyGiven,
    BadText,
    FeedbackSent,
    FeedbackTarget,
    NoDistricts,
    NotClosed,
)
from services.outcomes import Denied
from services.ports import Notice

Refusal = NotClosed | AlreadyGiven | NoDistricts | Denied | Unknown | BadText


def refusal_text(outcome: Refusal, checkin_id: int, tz: ZoneInfo, language: str | None) -> str:
    """One line saying why no feedback can be written or sent."""
    match outcome:
        case NotClosed():
            return t("feedback.not_closed", language, id=checkin_id)
        case AlreadyGiven(at=at):
            return t("feedback.already", language, id=checkin_id, at=local_time(at, tz, language))
        case NoDistricts():
            return t("feedback.no_districts", language, id=checkin_id)
        case Denied():
            return t("feedback.denied", language)
        case BadText(limit=limit, length=0):
            return t("feedback.empty", language)
        case BadText(limit=limit, length=length):
            return t("feedback.too_long", language, limit=limit, length=length)
        case _:
            return t("feedback.unknown", language, id=checkin_id)


def prompt_text(target: FeedbackTarget, language: str | None) -> str:
    """Ask for the text, naming the check-in and the groups it can go to."""
    names = ", ".join(d.name for d in target.districts)
    return t(
        "feedback.prompt", language, id=target.checkin_id, event=target.event, districts=names
    )


def preview_text(
    checkin_id: int, event: str, district: str, text: str, tz: ZoneInfo, language: str | None
) -> str:
    """The message exactly as a group will read it, under a heading."""
    params = {"event": event, "district": district, "text": text, "checkin_id": checkin_id}
    shown = render(Notice("feedback.group", params), tz, language)
    return t("feedback.preview", language) + "\n\n" + shown


def sent_text(sent: FeedbackSent, language: str | None) -> str:
    """Where the feedback went: the groups, any that failed, the private copies."""
    lines = [t("feedback.sent", language, id=sent.checkin_id, groups=", ".join(sent.groups))]
    if not sent.groups:
        lines = [t("feedback.sent_nowhere", language, id=sent.checkin_id)]
    if sent.failed_groups:
        lines.append(t("feedback.failed", language, groups=", ".join(sent.failed_groups)))
    if sent.private:
        lines.append(tn("feedback.private_count", sent.private, language))
    return "\n".join(lines)
