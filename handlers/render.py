"""Render service notices into text: values formatted for people, input escaped."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.i18n import moment, number, t, tn
from services.ports import Notice


def local_time(value: datetime, tz: ZoneInfo, language: str | None = None) -> str:
    """Show an aware datetime in the configured zone, e.g. 'ma 2 dec 21:00'."""
    return moment(value, tz, language)


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
            # A median: '4', or '3,5' in Dutch and '3.5' in English, as the summaries show it.
            values[name] = number(value, language)
        elif isinstance(value, list | tuple):
            values[name] = ", ".join(str(v) for v in value)
        else:
            values[name] = value
    if notice.count is not None:
        return tn(notice.key, notice.count, language, **values)
    return t(notice.key, language, **values)
