"""What a person reads during the intake: the agreement, the welcome, and broken links."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.common import role_name
from handlers.i18n import Safe, t
from handlers.privacy.texts import retention_lines
from handlers.render import local_time
from services.access import Role
from services.intake import (
    InvitationValid,
    Joined,
    LinkExpired,
    LinkProblem,
    LinkRevoked,
    LinkUnknown,
    LinkUsed,
)
from services.privacy.policy import PrivacyPolicy


def agreement_text(
    offer: InvitationValid, tz: ZoneInfo, language: str | None, policy: PrivacyPolicy
) -> str:
    """The agreement for this offer, with a note when joining moves or changes a role.

    The retention periods are rendered from the policy in force, as /privacy renders them.
    """
    role = role_name(offer.role, language)
    text = t(
        "intake.agreement",
        language,
        role=role,
        district=offer.district,
        expectations=Safe(t(f"intake.expect.{offer.role.value}", language)),
        expires=local_time(offer.expires_at, tz, language),
        version=offer.agreement_version,
        retention=Safe(retention_lines(policy, language)),
    )
    if offer.move_from is not None:
        text += t(
            "intake.agreement.move", language, current=offer.move_from, district=offer.district
        )
    elif offer.current_role is not None:
        text += t(
            "intake.agreement.role_change",
            language,
            current_role=role_name(offer.current_role, language),
            district=offer.district,
            role=role,
        )
    return text


def welcome_text(joined: Joined, language: str | None) -> str:
    """What a new member reads: welcome, and what happens next."""
    text = t(f"intake.welcome.{joined.role.value}", language, district=joined.district)
    if joined.moved_from is not None:
        text += t("intake.welcome.moved", language, district=joined.moved_from)
    if joined.previous_role is not None:
        text += t(
            "intake.welcome.role_changed",
            language,
            district=joined.district,
            previous=role_name(joined.previous_role, language),
            role=role_name(joined.role, language),
        )
    return text


def problem_text(problem: LinkProblem, language: str | None) -> str:
    """One clear message for a link that does not work (nothing was stored)."""
    match problem:
        case LinkExpired():
            return t("intake.link.expired", language)
        case LinkUsed():
            return t("intake.link.used", language)
        case LinkRevoked():
            return t("intake.link.revoked", language)
        case LinkUnknown():
            return t("intake.link.unknown", language)


def already_text(district: str, role: Role, language: str | None) -> str:
    """For someone who already holds this role in this district."""
    return t("intake.already_member", language, role=role_name(role, language), district=district)
