"""The command line's messages, from the catalogs (cli.po) in the configured language."""

from __future__ import annotations

from bot.settings import Settings
from handlers.i18n import Safe, neutral, t


def say(settings: Settings, key: str, **values: object) -> str:
    """A message of the command line in the configured language (plain text, not HTML)."""
    return neutral(t(key, settings.language, **{k: Safe(str(v)) for k, v in values.items()}))
