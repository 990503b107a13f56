"""The services of one running bot, built at start-up and reached through the context."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from services.ports import Clock, Notifier
from storage.uow import UnitOfWorkFactory


@dataclass
class Services:
    """Everything the handlers may call; one instance per running Application."""

    uow: UnitOfWorkFactory
    clock: Clock
    notifier: Notifier
    tz: ZoneInfo
    language: str
    coordinator_ids: frozenset[int]
