"""Small statistics of a district's answers: the median, rates, pseudonyms."""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from services.checkins.scale import Scale


def median(codes: Iterable[int], scale: Scale) -> float | None:
    """The median of the ranked answers, without 'weet niet'; None when there are none.

    With an even number of answers it is the average of the two middle codes (so 2 and 3
    give 2.5): halfway between two levels reads honestly as 'between Onderwerp van gesprek
    and Onrust', where a lower or upper median would pick a side.
    """
    ranked = [code for code in codes if scale.ranked(code)]
    return float(statistics.median(ranked)) if ranked else None


def response_rate(responded: int, key_figures: int) -> float | None:
    """Responded out of the key figures as a fraction; None for a district without any."""
    return responded / key_figures if key_figures else None


def delta(now: float | None, before: float | None) -> float | None:
    """Now minus before, when both are known."""
    return None if now is None or before is None else now - before


def pseudonym(index: int) -> str:
    """The n-th pseudonym (from 0): A…Z, then AA, AB… like spreadsheet columns."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
