"""Render service notices into text: values formatted for people, input escaped."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.i18n import t, tn
from services.ports import Notice


def local_time(value: datetime, tz: ZoneInfo, language: str | None = None) -> str:
    """Show an aware datetime in the configured zone, e.g. 'ma 2 dec. 21:00'."""
    locale = "en" if language == "en" else "nl"
    return format_datetime(value.astimezone(tz), "EEE d MMM HH:mm", tzinfo=tz, locale=locale)


def render(notice: Notice, tz: ZoneInfo, language: str | None = None) -> str:
    """Turn a notice into the text of its key, with datetimes shown in the local zone."""
    values: dict[str, object] = {}
    for name, value in notice.params.items():
        if isinstance(value, datetime):
            values[name] = local_time(value, tz, language)
        elif name == "role" and isinstance(value, str):
            # Services pass a role as its stored value ('bondgenoot', 'chef'); people read it
            # in their language through the role.<value> texts.
            values[name] = t(f"role.{value}", language)
        elif isinstance(value, float):
            # A median: '4' or '3,5', as the summaries show it.
            values[name] = f"{value:.1f}".replace(".", ",").replace(",0", "")
        elif isinstance(value, list | tuple):
            values[name] = ", ".join(str(v) for v in value)
        else:
            values[name] = value
    if notice.count is not None:
        return tn(notice.key, notice.count, language, **values)
    return t(notice.key, language, **values)
