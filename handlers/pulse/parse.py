"""Read /puls arguments as a chief types them, in Dutch or English.

    /puls maandelijks [eerste|tweede|derde|vierde|laatste] <weekdag> <HH:MM> [<duur>]
          [wijk, wijk …] [| vraag]
    /puls wekelijks|<N>-wekelijks <weekdag> <HH:MM> [<duur>] [wijk, wijk …] [| vraag]

Monthly is "the first Monday of the month" unless another week is named. The duration is
"48u", "2d", "90m" (default: the check-in default). Without districts: all of the person's
own (a coordinator's: every district).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        (
            "ma maandag mon monday",
            "di dinsdag tue tuesday",
            "wo woensdag wed wednesday",
            "do donderdag thu thursday",
            "vr vrijdag fri friday",
            "za zaterdag sat saturday",
            "zo zondag sun sunday",
        )
    )
    for name in names.split()
}
_ORDINALS = {
    "eerste": 1, "first": 1, "1e": 1, "1st": 1,
    "tweede": 2, "second": 2, "2e": 2, "2nd": 2,
    "derde": 3, "third": 3, "3e": 3, "3rd": 3,
    "vierde": 4, "fourth": 4, "4e": 4, "4th": 4,
    "laatste": -1, "last": -1,
}  # fmt: skip
_MONTHLY = {"maandelijks", "monthly", "maand", "month"}
_WEEKLY = {"wekelijks", "weekly", "week"}
_SPELLED_WEEKS = {"twee": 2, "drie": 3, "vier": 4, "two": 2, "three": 3, "four": 4}
_EVERY_N = re.compile(r"(\d{1,2}|twee|drie|vier|two|three|four)-?(?:wekelijks|weekly)")
_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")
_DURATION = re.compile(r"(\d{1,3})\s*(u|uur|h|d|dag|dagen|day|days|m|min)")
_UNITS = {"u": 60, "uur": 60, "h": 60, "m": 1, "min": 1}


@dataclass(frozen=True)
class PulseArgs:
    """What was typed, read; the service still checks it."""

    every_weeks: int
    week_of_month: int
    weekday: int
    at: time
    duration: timedelta | None
    districts: tuple[str, ...]
    question: str | None


def parse(text: str) -> PulseArgs | str:
    """Read the arguments, or name the part that could not be read ('usage', 'duration')."""
    head, bar, question_text = text.partition("|")
    words = head.split()
    if not words:
        return "usage"
    first = words.pop(0).casefold()
    week_of_month = 1
    if first in _MONTHLY:
        every = 0
        if words and words[0].casefold() in _ORDINALS:
            week_of_month = _ORDINALS[words.pop(0).casefold()]
    elif first in _WEEKLY:
        every = 1
    elif (found := _EVERY_N.fullmatch(first)) is not None:
        number = found.group(1)
        every = _SPELLED_WEEKS.get(number) or int(number)
    else:
        return "usage"
    if len(words) < 2 or words[0].casefold() not in _WEEKDAYS:
        return "usage"
    weekday = _WEEKDAYS[words.pop(0).casefold()]
    clock = _TIME.fullmatch(words.pop(0))
    if clock is None:
        return "usage"
    duration = None
    if words and words[0][:1].isdigit():
        found_duration = _DURATION.fullmatch(words.pop(0).casefold())
        if found_duration is None:
            return "duration"
        amount, unit = int(found_duration.group(1)), found_duration.group(2)
        duration = timedelta(minutes=amount * _UNITS.get(unit, 24 * 60))
    districts = tuple(n.strip() for n in " ".join(words).split(",") if n.strip())
    question = question_text.strip() if bar else None
    return PulseArgs(
        every_weeks=every,
        week_of_month=week_of_month,
        weekday=weekday,
        at=time(int(clock.group(1)), int(clock.group(2))),
        duration=duration,
        districts=districts,
        question=question or None,
    )
