"""The answers export: one row per answer, the person as a pseudonym (names on request)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.scale import Scale
from services.exports.labels import level_label
from services.exports.memo import Memo
from services.exports.plan import Plan, Rows
from services.exports.pseudonyms import Pseudonyms
from services.exports.times import LocalTimes
from services.exports.writers import Kind
from services.ports import Texts
from storage.queries import exports
from storage.queries.exports import Batches, Window

# Each column with what it holds (writers.Kind). Labels and directions are fixed words, but
# 'text' costs little: they repeat, and a writer converts a repeated value once a batch.
_COLUMNS: dict[str, Kind] = {
    "checkin_id": "plain",
    "event": "text",
    "district": "text",
    "answered_at": "plain",
    "level_code": "plain",
    "level_label": "text",
    "direction": "text",
    "themes": "list",
    "free_text": "text",
    "contact_requested": "flag",
    "person": "plain",
    # The feedback the check-in's chief sent to the groups afterwards (issue 12), if any.
    "feedback": "text",
    # Added with issue 12 part 4: "incident" (a check-in after an event) or "pulse" (an
    # occurrence of a recurring pulse). The name columns, asked for, still come after.
    "kind": "plain",
}
_NAME_COLUMNS: dict[str, Kind] = {"display_name": "text", "telegram_id": "plain"}
# Only in an export that asks for practice check-ins (issue 17): true for a practice answer.
_PRACTICE_COLUMNS: dict[str, Kind] = {"practice": "flag"}
COLUMNS = tuple(_COLUMNS)
NAME_COLUMNS = tuple(_NAME_COLUMNS)


def themes(stored: str | None) -> tuple[str, ...]:
    """The themes of a follow-up from their JSON text; none without a follow-up."""
    return () if stored is None else tuple(json.loads(stored))


def answers_plan(
    window: Window,
    names: bool,
    pseudonyms: Pseudonyms,
    scale: Scale,
    tz: ZoneInfo,
    texts: Texts,
    language: str,
) -> Plan:
    """Plan the answers export of a window; names adds display name and Telegram id."""

    def batches(session: AsyncSession) -> Batches:
        return exports.answers(session, window)

    labels = Memo(partial(level_label, scale, texts, language))
    times = LocalTimes(tz)

    def shape(batch: Sequence[Any]) -> Rows:
        if not batch:
            return []
        # Column by column, in the query's order (storage.queries.exports.answers): codes,
        # people and themes repeat, and a dict looks them up without a Python call per row.
        (
            checkin,
            event,
            district,
            at,
            code,
            direction,
            stored,
            text,
            contact,
            uid,
            name,
            back,
            kind,
            practice,
        ) = zip(*batch, strict=True)
        columns = [
            checkin,
            event,
            district,
            map(times.iso, at),
            code,
            map(labels.__getitem__, code),
            direction,
            # Per batch: themes repeat, but no unbounded cache of them builds up.
            map(Memo(themes).__getitem__, stored),
            text,
            contact,
            map(pseudonyms.__getitem__, uid),
            back,
            kind,
        ]
        if names:
            columns += [name, uid]
        if window.practice:
            columns.append(map(bool, practice))
        return list(zip(*columns, strict=True))

    kinds = _COLUMNS | _NAME_COLUMNS if names else _COLUMNS
    if window.practice:
        kinds = kinds | _PRACTICE_COLUMNS
    return Plan(tuple(kinds), "antwoorden", batches, shape, kinds=tuple(kinds.values()))
