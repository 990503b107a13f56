"""What the configuration says about personal data: retention per kind, erasure, contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

ErasedAnswers = Literal["anonymise", "delete"]


@dataclass(frozen=True)
class Retention:
    """How long each kind of data is kept, in days (settings.retention)."""

    free_texts_days: int = 90  # free texts and contact requests, after their check-in closed
    answers_days: int = 730  # answers, after their check-in closed; then anonymous counts
    invitations_days: int = 30  # invitations, after they expired, were used or revoked
    audit_days: int = 1825  # audit entries, after they were written
    left_people_days: int = 90  # people who belong nowhere any more, after they left

    def period(self, kind: str) -> timedelta:
        """The retention period of a kind ('free_texts', 'answers', ...)."""
        days: int = getattr(self, f"{kind}_days")
        return timedelta(days=days)


KINDS = ("free_texts", "answers", "invitations", "audit", "left_people")

# The version of the agreement's own words (handlers' intake.agreement). Raise it whenever
# they change; members who accepted an older version are asked once to accept the new one.
AGREEMENT_TEXT_VERSION = "2026-12-v3"


@dataclass(frozen=True)
class PrivacyPolicy:
    """The privacy settings in force, as the services and the texts need them."""

    retention: Retention = Retention()
    contact: str | None = None
    erased_answers: ErasedAnswers = "anonymise"
    copy_interval: timedelta = timedelta(hours=1)

    @property
    def agreement_version(self) -> str:
        """The agreement's version: its words, and the retention promises it renders.

        The periods shown come from the configuration, so changing them changes what people
        agreed to: they are part of the version, e.g. '2026-12-v2/90-730-30-1825-90-a'.
        """
        r = self.retention
        days = (r.free_texts_days, r.answers_days, r.invitations_days, r.audit_days)
        periods = "-".join(str(d) for d in (*days, r.left_people_days))
        return f"{AGREEMENT_TEXT_VERSION}/{periods}-{self.erased_answers[0]}"
