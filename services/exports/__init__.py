"""Exports of the sentiment log and the audit log: CSV, XLSX and JSON Lines, streamed."""

from __future__ import annotations

from services.exports.filters import ExportRequest
from services.exports.outcomes import (
    FORMATS,
    BadPeriod,
    Exported,
    ExportFormat,
    ExportKind,
    ExportOutcome,
    NamesNotAllowed,
    NoPseudonymKey,
    Unwritable,
    WriteFailed,
)
from services.exports.service import ExportService

__all__ = [
    "FORMATS",
    "BadPeriod",
    "ExportFormat",
    "ExportKind",
    "ExportOutcome",
    "ExportRequest",
    "ExportService",
    "Exported",
    "NamesNotAllowed",
    "NoPseudonymKey",
    "Unwritable",
    "WriteFailed",
]
