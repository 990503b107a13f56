"""The answers export: one row per answer, the person as a pseudonym (names on request)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.scale import Scale
from services.exports.labels import level_label
from services.exports.plan import Plan, Rows, local_iso
from services.exports.pseudonyms import Pseudonyms
from storage.queries import exports
from storage.queries.exports import Batches, Window

COLUMNS = (
    "checkin_id",
    "event",
    "district",
    "answered_at",
    "level_code",
    "level_label",
    "direction",
    "themes",
    "free_text",
    "contact_requested",
    "person",
)
NAME_COLUMNS = ("display_name", "telegram_id")


def answers_plan(
    window: Window, names: bool, pseudonyms: Pseudonyms, scale: Scale, tz: ZoneInfo
) -> Plan:
    """Plan the answers export of a window; names adds display name and Telegram id."""

    def batches(session: AsyncSession) -> Batches:
        return exports.answers(session, window)

    # Per code once, not per row: a million rows make every microsecond count.
    labels = {code: level_label(scale, code) for code in range(10)}

    def shape(batch: Sequence[Any]) -> Rows:
        rows: Rows = []
        # Unpacked by position: the query's column order (storage.queries.exports.answers).
        for (
            checkin,
            event,
            district,
            at,
            code,
            direction,
            themes,
            text,
            contact,
            uid,
            name,
        ) in batch:
            row = [
                checkin,
                event,
                district,
                local_iso(at, tz),
                code,
                labels.get(code, ""),
                None if direction is None else direction.value,
                list(themes or ()),
                text,
                contact,
                pseudonyms(uid),
            ]
            if names:
                row += [name, uid]
            rows.append(row)
        return rows

    columns = COLUMNS + NAME_COLUMNS if names else COLUMNS
    return Plan(columns, "antwoorden", batches, shape)
