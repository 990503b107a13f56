"""A district's usual level, and the one alert when an open check-in runs clearly above it.

The baseline is the median of the district's medians in its last N closed check-ins; with
fewer than the minimum there is none (three calm check-ins say more than one). The alert
goes to the district's chiefs once per check-in: the baseline_alerts table's unique key is
the guard, so concurrent batches of presses, a follow-up and a redelivered update agree.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.rules import BaselineRules
from services.checkins.scale import Scale
from services.checkins.stats import median
from services.outbox import Outbox
from services.ports import Notice
from storage.models import CheckIn, Role
from storage.queries import baseline as queries
from storage.queries import memberships


@dataclass(frozen=True)
class Baseline:
    """A district's usual level: the median over its last closed check-ins."""

    median: float
    checkins: int


async def district_baseline(
    s: AsyncSession, scale: Scale, rules: BaselineRules, district_id: int, checkin: CheckIn
) -> Baseline | None:
    """The district's baseline as it stood when this check-in opened; None with too few."""
    ranked = [code for code in scale.codes if scale.ranked(code)]
    earlier = await queries.earlier_codes(
        s,
        district_id,
        before=checkin.opened_at,
        exclude_id=checkin.id,
        ranked=ranked,
        limit=rules.checkins,
    )
    return _baseline(earlier, scale, rules)


async def district_baselines(
    s: AsyncSession,
    scale: Scale,
    rules: BaselineRules,
    district_ids: Collection[int],
    checkin: CheckInRef,
) -> dict[int, Baseline | None]:
    """`district_baseline` of many districts at once."""
    earlier = await queries.earlier_codes_of(
        s,
        district_ids,
        before=checkin.opened_at,
        exclude_id=checkin.id,
        ranked=[code for code in scale.codes if scale.ranked(code)],
        limit=rules.checkins,
    )
    return {district_id: _baseline(codes, scale, rules) for district_id, codes in earlier.items()}


def _baseline(earlier: list[list[int]], scale: Scale, rules: BaselineRules) -> Baseline | None:
    medians = [m for codes in earlier if (m := median(codes, scale)) is not None]
    if len(medians) < rules.min_checkins:
        return None
    return Baseline(float(statistics.median(medians)), len(medians))


class CheckInRef(Protocol):
    """What the watch needs of a check-in: a stored row, or the press path's plain one."""

    @property
    def id(self) -> int:
        """The check-in's id."""
        ...

    @property
    def opened_at(self) -> datetime:
        """When it opened: the baseline is the one that stood then."""
        ...

    @property
    def practice(self) -> bool:
        """A practice check-in alerts nobody."""
        ...


class EventRef(Protocol):
    """What the watch needs of an event: what happened."""

    @property
    def description(self) -> str:
        """The event's description, as the chief typed it."""
        ...


class DistrictRef(Protocol):
    """What the watch needs of a district: a stored row, or the press path's light copy."""

    @property
    def id(self) -> int:
        """The district's id."""
        ...

    @property
    def name(self) -> str:
        """The district's name."""
        ...


@dataclass(frozen=True)
class Moved:
    """A district whose answers just changed in an open check-in."""

    checkin: CheckInRef
    event: EventRef
    district: DistrictRef
    # The change can add to 'high and rising': a high answer given, or 'rising' set.
    maybe_rising: bool


class BaselineWatch:
    """Check open check-ins against their districts' baselines and alert chiefs once."""

    def __init__(self, scale: Scale, rules: BaselineRules) -> None:
        self._scale = scale
        self._rules = rules
        self.high = frozenset(
            c for c in scale.codes if scale.ranked(c) and c >= rules.rising_level
        )
        # Facts that cannot change while a check-in is open, kept to spare a burst of presses
        # the queries: alerts already given, and baselines (fixed at the check-in's opening).
        self._alerted: set[tuple[int, int]] = set()
        self._baselines: dict[tuple[int, int], Baseline | None] = {}
        self._whole: set[int] = set()  # check-ins whose districts' baselines were all read

    async def check(
        self, s: AsyncSession, outbox: Outbox, moved: Collection[Moved], now: datetime
    ) -> int:
        """Alert the chiefs of these districts that now run clearly above their baseline."""
        todo: dict[tuple[int, int], Moved] = {}
        for m in moved:
            key = (m.checkin.id, m.district.id)
            if key in self._alerted or m.checkin.practice:  # practice alerts nobody
                continue
            before = todo.get(key)
            todo[key] = m if before is None or m.maybe_rising else before
        # The baselines not known yet, a check-in's districts together (a burst's first
        # batches reach hundreds of districts).
        unknown: dict[int, list[Moved]] = {}
        for key, m in todo.items():
            if key not in self._baselines:
                unknown.setdefault(m.checkin.id, []).append(m)
        for checkin_id, of_checkin in unknown.items():
            wanted = {m.district.id for m in of_checkin}
            if checkin_id not in self._whole:
                # The first time: every district the check-in went to, so that the rest of
                # a burst finds its baselines known instead of asking batch after batch.
                self._whole.add(checkin_id)
                wanted |= await queries.districts_of(s, checkin_id)
            found = await district_baselines(
                s, self._scale, self._rules, wanted, of_checkin[0].checkin
            )
            for district_id, baseline in found.items():
                self._baselines.setdefault((checkin_id, district_id), baseline)
        # Without a baseline only 'high and rising' can alert, and only a high answer or a
        # 'rising' can make it true: a burst of other presses costs no query here.
        worth = [k for k, m in todo.items() if self._baselines[k] is not None or m.maybe_rising]
        if not worth:
            return 0
        running = await queries.running_codes(s, worth)
        told = 0
        for key in worth:
            if await self._check_one(s, outbox, todo[key], running[key], now):
                told += 1
        return told

    async def _check_one(
        self, s: AsyncSession, outbox: Outbox, moved: Moved, codes: list[int], now: datetime
    ) -> bool:
        rules, scale = self._rules, self._scale
        checkin, event, district = moved.checkin, moved.event, moved.district
        ranked = [code for code in codes if scale.ranked(code)]
        if len(ranked) < rules.min_answers:
            return False
        key = (checkin.id, district.id)
        usual = self._baselines[key]
        running = median(ranked, scale)
        reason = None
        if usual is not None and running is not None:
            if running - usual.median >= rules.steps_above:
                reason = "above"
        high = self.high
        enough_high = sum(1 for code in ranked if code in high) >= rules.min_answers
        if reason is None and moved.maybe_rising and enough_high:
            rising = await queries.high_and_rising(s, checkin.id, district.id, high)
            if rising >= rules.min_answers:
                reason = "rising"
        if reason is None:
            return False
        claimed = await queries.claim_alert(
            s,
            checkin_id=checkin.id,
            district_id=district.id,
            reason=reason,
            median=running,
            baseline=usual.median if usual else None,
            responded=len(codes),
            at=now,
        )
        if not claimed:
            # Given, and committed, by another transaction: nothing left to check here.
            self._alerted.add(key)
            return False
        await _tell_chiefs(s, outbox, reason, checkin, event, district, running, usual)
        return True


async def _tell_chiefs(
    s: AsyncSession,
    outbox: Outbox,
    reason: str,
    checkin: CheckInRef,
    event: EventRef,
    district: DistrictRef,
    running: float | None,
    usual: Baseline | None,
) -> None:
    params: dict[str, object] = {
        "district": district.name,
        "event": event.description,
        "checkin_id": checkin.id,
        "median": running if running is not None else 0.0,
    }
    if reason == "above" and usual is not None:
        notice = Notice("baseline.alert_above", params | {"usual": usual.median})
    else:
        notice = Notice("baseline.alert_rising", params)
    pairs = await memberships.of_district(s, district.id, [Role.CHIEF])
    chiefs = [p for _, p in pairs if p.privately_reachable]
    if chiefs:
        outbox.tell_many(chiefs, notice)
    else:
        # As with an acute answer: a district without reachable chiefs tells the coordinators.
        await outbox.tell_coordinators(s, notice)
