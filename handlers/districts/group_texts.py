"""Texts for groups: the bot arriving, /koppel and its confirmation question."""

from __future__ import annotations

from handlers.districts.texts import unknown_district
from handlers.i18n import t, tn
from services.groups import (
    AlreadyLinked,
    GroupAdded,
    GroupLinked,
    GroupLinkedElsewhere,
    GroupState,
    NeedsConfirmation,
)
from services.outcomes import Denied, DistrictArchived, UnknownDistrict

LinkOutcome = (
    GroupLinked
    | AlreadyLinked
    | GroupLinkedElsewhere
    | NeedsConfirmation
    | Denied
    | UnknownDistrict
    | DistrictArchived
)


def added_text(added: GroupAdded, language: str | None) -> str | None:
    """What to say in a group the bot was just added to (None: say nothing)."""
    match added.state:
        case GroupState.PENDING if added.added_by_coordinator:
            return tn("group.added_by_coordinator", added.grace_minutes, language)
        case GroupState.REACHABLE_AGAIN:
            return t("group.back", language, district=added.district or "")
        case _:
            # Already linked and present: a repeated update, nothing new to say.
            return None


def link_reply(outcome: LinkOutcome, language: str | None) -> str:
    """Render what came of /koppel (or of confirming it)."""
    match outcome:
        case Denied():
            return t("group.link_denied", language)
        case UnknownDistrict(name=""):
            return t("group.link_usage", language)
        case UnknownDistrict():
            return unknown_district(outcome, language)
        case DistrictArchived(name=name):
            return t("group.link_archived", language, district=name)
        case AlreadyLinked(district=district):
            return t("group.already_linked", language, district=district)
        case GroupLinkedElsewhere(district=district):
            return t("group.linked_elsewhere", language, district=district)
        case NeedsConfirmation():
            return t(
                "group.confirm_replace",
                language,
                district=outcome.district,
                title=outcome.current_title or t("districts.untitled", language),
            )
        case GroupLinked(district=district):
            return t("group.linked", language, district=district)


def link_answer(outcome: LinkOutcome, language: str | None) -> str:
    """The short callback answer (a toast) after a press on the confirmation buttons."""
    match outcome:
        case GroupLinked():
            return t("group.answer_linked", language)
        case Denied():
            return t("group.answer_denied", language)
        case _:
            return t("group.answer_done", language)
