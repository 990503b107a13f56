"""Dutch labels of the answer scale for exports, by the scale's text keys.

The check-in scale (services/checkins/scale.py) holds codes and text keys only; the texts live
in the handlers' catalogs, which services may not import. An export is a document for Dutch
readers, so the default labels are kept here.
"""

from __future__ import annotations

from services.checkins.scale import Scale

LABELS_NL = {
    "scale.1": "Rustig",
    "scale.2": "Onderwerp van gesprek",
    "scale.3": "Onrust",
    "scale.4": "Spanning loopt op",
    "scale.5": "Acuut",
    "scale.0": "Weet niet",
}


def level_label(scale: Scale, code: int) -> str:
    """The Dutch label of a code; empty for a code no longer on the scale."""
    if not scale.has(code):
        return ""
    return LABELS_NL.get(scale.label_key(code), "")
