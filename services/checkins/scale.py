"""The answer scale, directions and themes as data, and the knobs of the check-in loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from services.checkins.quiet import DEFAULT_QUIET_HOURS, QuietHours
from services.checkins.rules import BaselineRules
from storage.models import Direction


@dataclass(frozen=True)
class Level:
    """One answer on the scale: the stable code that is stored, and its text key."""

    code: int
    label_key: str


@dataclass(frozen=True)
class Scale:
    """What can be answered; codes are what the database keeps, labels are text keys."""

    levels: tuple[Level, ...]
    themes: tuple[str, ...]
    directions: tuple[Direction, ...] = tuple(Direction)
    # An answer that reaches the district's chiefs at once.
    acute_codes: frozenset[int] = frozenset({5})
    # Counts as a response, but has no place on the ordinal scale (so not in the median).
    unknown_codes: frozenset[int] = frozenset({0})

    def __post_init__(self) -> None:
        codes = [level.code for level in self.levels]
        # The answers table checks 0..9; a scale outside that could never be stored.
        if len(set(codes)) != len(codes) or not all(0 <= c <= 9 for c in codes):
            raise ValueError(f"scale codes must be unique and within 0..9: {codes}")
        if len(set(self.themes)) != len(self.themes):
            raise ValueError(f"themes must be unique: {self.themes}")

    @property
    def codes(self) -> tuple[int, ...]:
        """The codes in the order the buttons show them."""
        return tuple(level.code for level in self.levels)

    def has(self, code: int) -> bool:
        """Tell whether a code is on this scale."""
        return code in self.codes

    def label_key(self, code: int) -> str:
        """The text key of a code's label, e.g. `scale.3`."""
        for level in self.levels:
            if level.code == code:
                return level.label_key
        raise KeyError(f"code {code} is not on the scale")

    def ranked(self, code: int) -> bool:
        """Tell whether a code takes part in the median (everything but 'weet niet')."""
        return self.has(code) and code not in self.unknown_codes

    @staticmethod
    def theme_key(theme: str) -> str:
        """The text key of a theme, e.g. `theme.polarisatie`."""
        return f"theme.{theme}"

    @staticmethod
    def direction_key(direction: Direction) -> str:
        """The text key of a direction, e.g. `direction.rising`."""
        return f"direction.{direction.value}"


DEFAULT_SCALE = Scale(
    levels=tuple(Level(code, f"scale.{code}") for code in (1, 2, 3, 4, 5, 0)),
    themes=("radicalisering", "polarisatie", "overlast", "armoede", "discriminatie", "anders"),
)


@dataclass(frozen=True)
class CheckInSettings:
    """Limits and timings of the check-in loop; defaults follow the issue."""

    scale: Scale = field(default=DEFAULT_SCALE)
    max_event_length: int = 500
    max_duration: timedelta = timedelta(days=7)
    max_free_text: int = 1000
    # At most one tally edit per group message per interval (edits count against flood limits).
    tally_interval: timedelta = timedelta(seconds=5)
    # Retryable send errors: attempts before giving up, and the exponential backoff.
    max_attempts: int = 5
    backoff_base: timedelta = timedelta(seconds=2)
    backoff_max: timedelta = timedelta(minutes=5)
    # A claimed send older than this is taken to be lost (its sender died) and is resumed.
    claim_lease: timedelta = timedelta(minutes=2)
    # How far back /peilingen looks for closed check-ins, and how many it lists.
    recent: timedelta = timedelta(days=30)
    list_limit: int = 20
    # Closed check-ins whose group messages may still need their final edit after a restart.
    final_edit_window: timedelta = timedelta(days=1)
    # What the /peiling wizard offers first (checkins.default_duration_hours).
    default_duration: timedelta = timedelta(hours=24)
    # No reminders and no (non-urgent) private copies inside these.
    quiet_hours: QuietHours = DEFAULT_QUIET_HOURS
    # Reminders: at most this many per person per check-in, at these moments — fractions of
    # the open time, and hours before the deadline.
    reminders_per_person: int = 1
    reminder_fractions: tuple[float, ...] = (0.5,)
    reminder_before_deadline: tuple[timedelta, ...] = ()
    # When a district counts as clearly above its usual level (issue 12).
    baseline: BaselineRules = field(default_factory=BaselineRules)

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the n-th failed attempt: base, 2×base, 4×base…, capped."""
        return min(self.backoff_base * (2 ** max(attempts - 1, 0)), self.backoff_max)
