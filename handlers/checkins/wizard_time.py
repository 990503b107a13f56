"""A closing time as a chief types it: "vandaag 21:00", "morgen 9:00", "ma 21:00", "1-12 18:00".

Read leniently, in the configured time zone (Europe/Amsterdam), Dutch and English words alike.
Whether the moment is in the past or too far ahead is for the caller to say.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Tried in this order: "18:00" first, so that in "1.12 18:00" the date is not read as 1:12.
_CLOCKS = (
    re.compile(r"(?<![\d/.:-])([01]?\d|2[0-3]):([0-5]\d)(?![\d/.:-])"),
    re.compile(r"(?<![\d/.:-])([01]?\d|2[0-3])\.([0-5]\d)(?![\d/.:-])"),
    re.compile(r"(?<![\d/.:-])([01]?\d|2[0-3])\s*(?:u|uur|h)()(?![a-z])"),
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?")
_SPELLED = re.compile(r"(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?")
_FILLER = {"om", "op", "at", "on", "uur", "'s", "avonds", "ochtends", "middags"}
_DAYS = {"vandaag": 0, "today": 0, "vanavond": 0, "tonight": 0}
_DAYS |= {"morgen": 1, "tomorrow": 1, "overmorgen": 2}
_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        (
            "ma maandag mon monday",
            "di dinsdag tue tues tuesday",
            "wo woensdag wed wednesday",
            "do donderdag thu thur thurs thursday",
            "vr vrijdag fri friday",
            "za zaterdag sat saturday",
            "zo zondag sun sunday",
        )
    )
    for name in names.split()
}
_MONTHS = {
    name: index + 1
    for index, names in enumerate(
        (
            "jan januari january",
            "feb februari february",
            "mrt maart mar march",
            "apr april",
            "mei may",
            "jun juni june",
            "jul juli july",
            "aug augustus august",
            "sep sept september",
            "okt oct oktober october",
            "nov november",
            "dec december",
        )
    )
    for name in names.split()
}


def _clock(text: str) -> tuple[time, str] | None:
    found = next((m for pattern in _CLOCKS if (m := pattern.search(text))), None)
    if found is None:
        return None
    minute = int(found.group(2) or 0)
    rest = f"{text[: found.start()]} {text[found.end() :]}"
    return time(int(found.group(1)), minute), rest


def _day(words: list[str], today: date, at: time, now_local: datetime) -> date | None:
    text = " ".join(words)
    if not words:
        return today
    if text in _DAYS:
        return today + timedelta(days=_DAYS[text])
    if len(words) > 1 and words[0] in _WEEKDAYS:  # "ma 1 dec": the date decides
        return _day(words[1:], today, at, now_local)
    if text in _WEEKDAYS:
        ahead = (_WEEKDAYS[text] - today.weekday()) % 7
        if ahead == 0 and datetime.combine(today, at, now_local.tzinfo) <= now_local:
            ahead = 7  # "ma 21:00" on a Monday evening means next Monday
        return today + timedelta(days=ahead)
    try:
        if found := _ISO.fullmatch(text):
            return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        found = _NUMERIC.fullmatch(text)
        month_day = (int(found.group(2)), int(found.group(1))) if found else None
        year_text = found.group(3) if found else None
        if found is None and (spelled := _SPELLED.fullmatch(text)):
            month = _MONTHS.get(spelled.group(2))
            month_day = (month, int(spelled.group(1))) if month else None
            year_text = spelled.group(3)
        if month_day is None:
            return None
        if year_text is not None:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, *month_day)
        day = date(today.year, *month_day)
        # "2-1" typed in late December means next year's; yesterday stays in the past.
        return day if day >= today - timedelta(days=180) else date(today.year + 1, *month_day)
    except ValueError:  # 31-02 and the like
        return None


def parse_until(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """Read a closing time in local time, leniently; None when it cannot be understood.

    The result may be in the past or far ahead: the caller says what is wrong with it.
    """
    cleaned = text.casefold().replace(",", " ").strip().rstrip(".")
    found = _clock(cleaned)
    if found is None:
        return None
    at, rest = found
    words = [w for w in rest.split() if w not in _FILLER]
    now_local = now.astimezone(tz)
    day = _day(words, now_local.date(), at, now_local)
    if day is None:
        return None
    return datetime.combine(day, at, tz).astimezone(UTC)
