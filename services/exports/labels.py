"""Labels of the answer scale for exports, from the catalogs by the scale's text keys."""

from __future__ import annotations

from services.checkins.scale import Scale
from services.ports import Texts


def level_label(scale: Scale, texts: Texts, language: str, code: int) -> str:
    """The label of a code in the export's language; empty for a code no longer on the scale."""
    if not scale.has(code):
        return ""
    return texts(scale.label_key(code), language)
