"""District names: cleaning, the uniqueness key, and the closest existing names."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping

from services.outcomes import InvalidName

MAX_NAME_LENGTH = 60
# The column is String(80); casefolding can lengthen a name ('ß' → 'ss').
MAX_KEY_LENGTH = 80
MAX_SUGGESTIONS = 3


def clean_name(raw: str) -> str:
    """Return the name as shown: trimmed, inner runs of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def name_key(raw: str) -> str:
    """Return the uniqueness key: compatibility-normalised, casefolded, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold())
    return " ".join(folded.split())


def check_name(raw: str) -> str | InvalidName:
    """Return the cleaned name, or why it cannot be a district name."""
    name = clean_name(raw)
    if not name:
        return InvalidName("empty", MAX_NAME_LENGTH)
    if len(name) > MAX_NAME_LENGTH or len(name_key(name)) > MAX_KEY_LENGTH:
        return InvalidName("too_long", MAX_NAME_LENGTH)
    return name


def closest(raw: str, names_by_key: Mapping[str, str]) -> tuple[str, ...]:
    """Return up to three existing names closest to what was typed."""
    matches = difflib.get_close_matches(
        name_key(raw), list(names_by_key), n=MAX_SUGGESTIONS, cutoff=0.5
    )
    return tuple(names_by_key[key] for key in matches)
