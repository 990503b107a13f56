"""Thresholds of the checks that watch check-ins (issue 12), as the config file sets them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BaselineRules:
    """When a district counts as clearly above its usual level (settings [baseline])."""

    # The baseline is the median of the district's last this-many closed check-ins …
    checkins: int = 5
    # … and there is none before this many exist.
    min_checkins: int = 3
    # An alert needs at least this many answers in the open check-in.
    min_answers: int = 3
    # The running median must be this far above the baseline.
    steps_above: float = 1.0
    # Or: at least min_answers answered this code or higher and said it is rising.
    rising_level: int = 4
