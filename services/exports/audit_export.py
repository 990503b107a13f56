"""The audit log export: who did what and when, one row per entry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.exports.plan import Plan, Rows
from services.exports.times import local_iso
from storage.queries import exports
from storage.queries.exports import Batches, Window

COLUMNS = ("id", "at", "actor_telegram_id", "action", "subject", "details")


def audit_plan(window: Window, tz: ZoneInfo) -> Plan:
    """Plan the export of the audit entries made within a window."""

    def batches(session: AsyncSession) -> Batches:
        return exports.audit_entries(session, window)

    def shape(batch: Sequence[Any]) -> Rows:
        return [
            [r.id, local_iso(r.at, tz), r.actor_telegram_id, r.action, r.subject, r.details]
            for r in batch
        ]

    return Plan(COLUMNS, "auditlog", batches, shape)
