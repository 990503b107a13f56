"""The summary of a closed check-in per district, sent once to its chief and coordinators."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.baseline import district_baseline
from services.checkins.outcomes import Unknown
from services.checkins.report import recipients, undelivered
from services.checkins.scale import CheckInSettings
from services.checkins.stats import delta, median, pseudonym, response_rate
from services.checkins.views import CheckInSummary, Comparison, Count, DistrictSummary, FreeText
from services.outbox import Deps, send_all
from storage.models import (
    Answer,
    CheckIn,
    Delivery,
    DeliveryStatus,
    District,
    FollowUp,
    Person,
    Role,
)
from storage.queries import answers, checkins, deliveries, memberships, people


class SummaryService:
    """Summarise check-ins per district and send each summary once."""

    def __init__(self, deps: Deps, settings: CheckInSettings) -> None:
        self._deps = deps
        self._settings = settings

    async def summary(self, checkin_id: int) -> CheckInSummary | Unknown:
        """The summary as it stands (also of an open check-in, for a look in between)."""
        async with self._deps.uow() as uow:
            built = await self._build(uow.session, checkin_id)
            return built if built is not None else Unknown()

    async def send_summary(self, checkin_id: int) -> CheckInSummary | None:
        """Send the summary of a closed check-in to its starter, coordinators and chiefs, once.

        The starter and the coordinators get every district; each other chief of a targeted
        district gets one message with only their own districts. summary_sent_at is claimed
        in the same commit that precedes the sends: a crash right after it loses the summary
        rather than sending it twice (as the Outbox does).
        """
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            s = uow.session
            if not await checkins.claim_summary(s, checkin_id, now):
                return None
            built = await self._build(s, checkin_id)
            found = await checkins.with_event(s, checkin_id)
            assert built is not None and found is not None
            told = {p.telegram_user_id: p.language for p in await recipients(s, found[0])}
            coordinators = await people.coordinators(s)
            for coordinator in coordinators:
                if coordinator.privately_reachable:
                    told.setdefault(coordinator.telegram_user_id, coordinator.language)
            # Practice: coordinators get the button to wipe its data (only they may).
            wipers = {c.telegram_user_id for c in coordinators} if built.practice else set()
            wiping = replace(built, offer_wipe=True)
            sends = [(c, wiping if c in wipers else built, lang) for c, lang in told.items()]
            for chief, theirs in (await _chiefs_of_targets(s, checkin_id)).items():
                if chief.telegram_user_id not in told and chief.privately_reachable:
                    sends.append((chief.telegram_user_id, only(built, theirs), chief.language))
            await uow.commit()
        notifier = self._deps.notifier
        await send_all(
            self._deps,
            ((c, partial(notifier.send_summary, c, part, lang)) for c, part, lang in sends),
        )
        return built

    async def _build(self, s: AsyncSession, checkin_id: int) -> CheckInSummary | None:
        """The summary of every district the check-in targeted."""
        found = await checkins.with_event(s, checkin_id)
        if found is None:
            return None
        checkin, event = found
        rows = await deliveries.of_checkin(s, checkin_id)
        given = await answers.of_checkin(s, checkin_id)
        # Stable per person within the check-in: the order of first answers never changes.
        names = {a.person_id: pseudonym(i) for i, a in enumerate(given)}
        follow = {f.person_id: f for f in await answers.follow_ups(s, checkin_id)}
        reached = [(d, district) for d, district in rows if d.status is DeliveryStatus.SENT]
        now = self._deps.clock.now()
        current = await checkins.key_figure_counts(s, [d.id for _, d in reached], now)
        districts = []
        for delivery, district in reached:
            mine = [a for a in given if a.district_id == district.id]
            frozen = delivery.key_figures_at_close
            key_figures = max(current[district.id] if frozen is None else frozen, len(mine))
            districts.append(
                await self._district(s, checkin, district, mine, key_figures, follow, names)
            )
        return CheckInSummary(
            checkin_id=checkin.id,
            event=event.description,
            opened_at=checkin.opened_at,
            closed_at=checkin.closed_at,
            districts=tuple(districts),
            undelivered=undelivered(rows),
            pulse_weeks=checkin.pulse_weeks if checkin.kind == "pulse" else None,
            practice=checkin.practice,
        )

    async def _district(
        self,
        s: AsyncSession,
        checkin: CheckIn,
        district: District,
        given: list[Answer],
        key_figures: int,
        follow: dict[int, FollowUp],
        names: dict[int, str],
    ) -> DistrictSummary:
        scale = self._settings.scale
        codes = Counter(a.code for a in given)
        depth = [follow[a.person_id] for a in given if a.person_id in follow]
        directions = Counter(f.direction for f in depth if f.direction is not None)
        themes = Counter(t for f in depth for t in f.themes)
        mid = median((a.code for a in given), scale)
        rate = response_rate(len(given), key_figures)
        # Practice is compared with nothing: no usual level, no previous check-in.
        usual = None
        if not checkin.practice:
            usual = await district_baseline(
                s, scale, self._settings.baseline, district.id, checkin
            )
        return DistrictSummary(
            district_id=district.id,
            district=district.name,
            responded=len(given),
            key_figures=key_figures,
            response_rate=rate,
            counts=tuple(Count(str(lv.code), lv.label_key, codes[lv.code]) for lv in scale.levels),
            median=mid,
            directions=tuple(
                Count(d.value, scale.direction_key(d), directions[d]) for d in scale.directions
            ),
            themes=tuple(Count(t, scale.theme_key(t), themes[t]) for t in scale.themes),
            contact_requests=sum(1 for f in depth if f.contact_requested),
            free_texts=tuple(
                FreeText(names[a.person_id], follow[a.person_id].free_text or "")
                for a in given
                if a.person_id in follow and follow[a.person_id].free_text
            ),
            previous=None
            if checkin.practice
            else await self._previous(s, checkin, district, mid, rate),
            baseline=usual.median if usual else None,
            baseline_checkins=usual.checkins if usual else 0,
        )

    async def _previous(
        self,
        s: AsyncSession,
        checkin: CheckIn,
        district: District,
        mid: float | None,
        rate: float | None,
    ) -> Comparison | None:
        found = await checkins.previous_closed(s, district.id, checkin.opened_at, checkin.id)
        if found is None:
            return None
        before, event = found
        given = [a for a in await answers.of_checkin(s, before.id) if a.district_id == district.id]
        delivery = await deliveries.for_district(s, before.id, district.id)
        assert isinstance(delivery, Delivery)
        # Its N as frozen at its closing; an old row without it has no rate to compare.
        frozen = delivery.key_figures_at_close
        before_rate = (
            None if frozen is None else response_rate(len(given), max(frozen, len(given)))
        )
        before_mid = median((a.code for a in given), self._settings.scale)
        return Comparison(
            checkin_id=before.id,
            event=event.description,
            closed_at=before.closed_at,
            median=before_mid,
            response_rate=before_rate,
            median_delta=delta(mid, before_mid),
            response_rate_delta=delta(rate, before_rate),
        )


async def _chiefs_of_targets(s: AsyncSession, checkin_id: int) -> dict[Person, dict[int, str]]:
    """Each chief of a district the check-in targeted, with those districts (id: name)."""
    found: dict[Person, dict[int, str]] = {}
    for _, district in await deliveries.of_checkin(s, checkin_id):
        for _, chief in await memberships.of_district(s, district.id, [Role.CHIEF]):
            found.setdefault(chief, {})[district.id] = district.name
    return found


def only(summary: CheckInSummary, districts: Mapping[int, str]) -> CheckInSummary:
    """The summary cut down to these districts (what a chief of only those may read)."""
    names = set(districts.values())
    return replace(
        summary,
        districts=tuple(d for d in summary.districts if d.district_id in districts),
        undelivered=tuple(u for u in summary.undelivered if u.district in names),
    )
