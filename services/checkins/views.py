"""What the Telegram layer is handed to render: group messages, reports and summaries.

Plain data only (codes, text keys, names, times); the handlers build texts and keyboards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from services.checkins.scale import Level


@dataclass(frozen=True)
class Count:
    """How often one option was chosen: its stored key or code, its text key, the number."""

    key: str
    label_key: str
    count: int


@dataclass(frozen=True)
class TallyView:
    """What a group message shows of the answers so far."""

    responded: int
    key_figures: int  # N: the district's key figures (frozen at closing)
    shown: bool  # False: only "n of N", the levels stay hidden until closing
    counts: tuple[Count, ...] = ()  # per level in scale order; empty while hidden
    away: int = 0  # key figures away (/afwezig), left out of N


@dataclass(frozen=True)
class CheckInMessage:
    """One check-in message for one district: in its group, or privately to a member."""

    checkin_id: int | None  # None in a preview: nothing is stored yet
    district_id: int
    district: str
    event: str
    closes_at: datetime
    open: bool
    tally: TallyView
    choices: tuple[Level, ...]  # the answer buttons, in order; empty once closed
    private: bool = False
    reminder: bool = False  # a private reminder of a check-in not answered yet
    pulse_weeks: int | None = None  # a recurring pulse: 0 monthly, N every N weeks
    # In a group: the district's language (None: the configured one); a private message is
    # in its reader's language, which the sender passes.
    language: str | None = None
    practice: bool = False  # a practice check-in ("oefening"): marked, never counted

    def shown_hash(self) -> str:
        """A fingerprint of what changes on screen, to edit only when it differs."""
        counts = ",".join(f"{c.key}={c.count}" for c in self.tally.counts)
        tally = self.tally
        text = f"{self.open}|{tally.responded}/{tally.key_figures}|{tally.shown}|{counts}"
        if tally.away:  # only then: hashes of messages shown before issue 12 stay the same
            text += f"|away={tally.away}"
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class GroupEdit:
    """A group message to be edited to show this (a new tally, or 'gesloten')."""

    delivery_id: int
    chat_id: int
    message_id: int
    message: CheckInMessage
    shown_hash: str
    # Copies adopted after a send with an unknown outcome: edited along.
    copies: tuple[int, ...] = ()


@dataclass(frozen=True)
class Undelivered:
    """A district that did not get the check-in, and why.

    reason: archived, no_group, unreachable (known before sending); kicked, migrated,
    retry (gave up after retries), failed, closed (closed before it went out); pending.
    detail: Telegram's own words, if any.
    """

    district: str
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    """Where a check-in went: for the chief who started it."""

    checkin_id: int
    event: str
    closes_at: datetime
    sent: tuple[str, ...]
    undelivered: tuple[Undelivered, ...]
    pending: tuple[str, ...]
    private_sent: int = 0
    private_failed: int = 0
    private_pending: int = 0
    # Districts where a send's outcome was unknown: the message may stand there twice.
    uncertain: tuple[str, ...] = ()
    practice: bool = False  # a practice check-in ("oefening"): marked, never counted

    @property
    def complete(self) -> bool:
        """True when nothing is waiting to be sent any more."""
        return not self.pending and self.private_pending == 0


@dataclass(frozen=True)
class FreeText:
    """A key figure's free text under a pseudonym stable within the check-in."""

    pseudonym: str  # "A", "B", … in order of first answer: shown as "Bondgenoot A"
    text: str  # as written; the renderer escapes it


@dataclass(frozen=True)
class Comparison:
    """A district's previous closed check-in, and how this one differs from it."""

    checkin_id: int
    event: str
    closed_at: datetime | None
    median: float | None
    response_rate: float | None
    median_delta: float | None  # this minus previous; None when either has no median
    response_rate_delta: float | None  # in fractions (0.25 = 25 percentage points)


@dataclass(frozen=True)
class DistrictSummary:
    """The result of one district: rates, distribution, median, the depth answers."""

    district_id: int
    district: str
    responded: int
    key_figures: int
    response_rate: float | None  # responded / key figures; None without key figures
    counts: tuple[Count, ...]
    median: float | None  # of the ranked codes only; see services.checkins.stats.median
    directions: tuple[Count, ...]
    themes: tuple[Count, ...]
    contact_requests: int
    free_texts: tuple[FreeText, ...]
    previous: Comparison | None
    # The district's usual level (median of its last closed check-ins) and over how many;
    # None before enough exist. See services.checkins.baseline.
    baseline: float | None = None
    baseline_checkins: int = 0


@dataclass(frozen=True)
class CheckInSummary:
    """The summary of a closed check-in, per district, with where it did not arrive."""

    checkin_id: int
    event: str
    opened_at: datetime
    closed_at: datetime | None
    districts: tuple[DistrictSummary, ...]
    undelivered: tuple[Undelivered, ...]
    pulse_weeks: int | None = None  # a recurring pulse: 0 monthly, N every N weeks
    practice: bool = False  # a practice check-in ("oefening"): marked, never counted
    # A practice summary to a coordinator: offer to wipe its data (only they may).
    offer_wipe: bool = False
