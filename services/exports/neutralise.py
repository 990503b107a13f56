"""Keep spreadsheets from running cell text as a formula (OWASP's CSV-injection advice)."""

from __future__ import annotations

# Excel, LibreOffice and Google Sheets start a formula (or DDE call) with any of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(text: str) -> bool:
    """Tell whether a spreadsheet could read this text as a formula."""
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """Prefix risky text with an apostrophe, so '+31 6 12345678' stays readable as text."""
    return "'" + text if is_risky(text) else text
