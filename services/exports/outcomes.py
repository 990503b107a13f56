"""Outcomes of an export; the chat flow and the command line `match` on them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from services.outcomes import Denied, UnknownDistrict

ExportKind = Literal["answers", "summaries", "audit"]
ExportFormat = Literal["csv", "xlsx", "jsonl"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx", "jsonl")


@dataclass(frozen=True)
class Exported:
    """The file is complete under its final name, and the export is in the audit log."""

    path: Path
    kind: ExportKind
    format: ExportFormat
    rows: int
    names: bool


@dataclass(frozen=True)
class NamesNotAllowed:
    """Only coordinators may export names and Telegram ids."""


@dataclass(frozen=True)
class BadPeriod:
    """The first day of the period lies after the last."""

    since: str
    until: str


@dataclass(frozen=True)
class NoPseudonymKey:
    """No privacy.pseudonym_key configured: no stable pseudonyms, so no answers export."""


@dataclass(frozen=True)
class Unwritable:
    """The file cannot be made where asked (no such directory, no permission, a directory)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class WriteFailed:
    """Writing failed part-way (a full disk, say); nothing was left under the final name."""

    path: Path
    reason: str


Refused = Denied | UnknownDistrict | NamesNotAllowed | BadPeriod
ExportOutcome = Exported | Refused | NoPseudonymKey | Unwritable | WriteFailed
