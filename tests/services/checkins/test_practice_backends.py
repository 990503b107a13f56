"""Practice check-ins (issue 17) on both databases: stored and marked, but never counted.

Trends, baselines, overviews, the previous-check-in comparison and exports are computed before
and after a practice check-in and must be the same; an export that asks for practice data gets
it, marked. A practice check-in alerts nobody, and a coordinator wipes all of it at once.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from checkin_fakes import CheckInNotifier
from checkin_world import CHRIS, KEY_FIGURES, OVERVECHT, Net, build_network
from fakes import FakeClock
from sqlalchemy import func, select
from world import COORDINATOR_IDS, CORA, World

from handlers.i18n import t
from services.checkins.baseline import district_baseline
from services.checkins.outcomes import CheckInClosed, CheckInStarted, FollowUpState, Recorded
from services.checkins.practice import NotPractice, PracticeFound, StillOpen, Wiped
from services.checkins.views import CheckInSummary
from services.container import Services
from services.exports import Exported, ExportRequest
from services.outcomes import Denied
from storage.engine import create_engine, make_sessionmaker
from storage.models import (
    Answer,
    AuditEntry,
    BaselineAlert,
    CheckIn,
    Delivery,
    Escalation,
    FollowUp,
    MemberDelivery,
)
from storage.uow import UnitOfWorkFactory

OVERVECHT_PEOPLE = [user for user, _ in KEY_FIGURES[OVERVECHT]]


@pytest.fixture
async def net(db_url: str) -> AsyncIterator[Net]:
    """The check-in network on a migrated database of each backend, with a pseudonym key."""
    engine = create_engine(db_url)
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    notifier = CheckInNotifier()
    services = Services(
        uow=UnitOfWorkFactory(make_sessionmaker(engine)),
        clock=clock,
        notifier=notifier,
        tz=ZoneInfo("Europe/Amsterdam"),
        language="nl",
        coordinator_ids=COORDINATOR_IDS,
        texts=t,
        pseudonym_key=b"practice-test-key-practice-test-key",
        export_min_respondents=1,
    )
    await services.people.sync_coordinators(COORDINATOR_IDS)
    yield await build_network(World(services, clock, notifier), services.checkins, notifier)
    await engine.dispose()


def services_of(net: Net) -> Services:
    return net.world.services


async def run_checkin(
    net: Net, codes: list[int], *, practice: bool = False, event: str = "Onrust na wedstrijd"
) -> int:
    """Start, send, answer (Overvecht's key figures in order) and close one check-in."""
    started = await net.checkins.start.start_checkin(
        CHRIS, event, [OVERVECHT], timedelta(hours=6), True, practice=practice
    )
    assert isinstance(started, CheckInStarted) and started.practice is practice
    await net.checkins.broadcast.broadcast(started.checkin_id)
    for user, code in zip(OVERVECHT_PEOPLE, codes, strict=False):
        outcome = await net.press(user, started.checkin_id, code)
        assert isinstance(outcome, Recorded) and outcome.practice is practice
    net.world.clock.advance(hours=1)
    assert isinstance(
        await net.checkins.closing.close_checkin(started.checkin_id, CORA), CheckInClosed
    )
    net.world.clock.advance(days=1)
    return started.checkin_id


async def export_rows(
    net: Net, tmp: Path, name: str, kind: str, practice: bool = False
) -> list[dict[str, str]]:
    path = tmp / f"{name}.csv"
    request = ExportRequest("csv", kind, practice=practice)  # type: ignore[arg-type]
    outcome = await services_of(net).exports.export(None, request, path)
    assert isinstance(outcome, Exported), outcome
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


async def figures(net: Net, tmp: Path, name: str) -> dict[str, object]:
    """Everything a practice check-in must leave alone, as it stands now."""
    services = services_of(net)
    stand_in = CheckIn(id=-1, opened_at=datetime(2030, 1, 1, tzinfo=UTC))
    async with services.uow() as uow:
        usual = await district_baseline(
            uow.session,
            services.checkin_settings.scale,
            services.checkin_settings.baseline,
            net.district_ids[OVERVECHT],
            stand_in,
        )
    return {
        "trend": await services.insight.trend(CORA),
        # The districts' states (the window's start moves with the clock).
        "overview": getattr(await services.insight.overview(CORA), "districts", None),
        "baseline": usual,
        "answers": await export_rows(net, tmp, f"{name}-answers", "answers"),
        "summaries": await export_rows(net, tmp, f"{name}-summaries", "summaries"),
        "feedback": [c.checkin_id for c in await services.feedback.choices(CORA)],
    }


async def test_a_practice_checkin_changes_no_figure_and_alerts_nobody(
    net: Net, tmp_path: Path
) -> None:
    real = [await run_checkin(net, codes) for codes in ([1, 2, 2, 3], [2, 2, 3], [1, 1, 2, 2])]
    before = await figures(net, tmp_path, "before")
    assert before["baseline"] is not None  # three real check-ins: a usual level exists
    assert len(before["answers"]) == 11  # type: ignore[arg-type]
    net.notifier.clear()

    # Practice, answered far above the usual level and acute (5): no alert of any kind.
    started = await net.checkins.start.start_checkin(
        CHRIS, "Oefening eerste bijeenkomst", [OVERVECHT], timedelta(hours=6), True, practice=True
    )
    assert isinstance(started, CheckInStarted) and started.practice
    await net.checkins.broadcast.broadcast(started.checkin_id)
    practice_id = started.checkin_id
    posted = [m for _, _, m in net.notifier.posts if m.checkin_id == practice_id]
    assert posted and all(m.practice for m in posted)
    for user in OVERVECHT_PEOPLE:
        assert isinstance(await net.press(user, practice_id, 5), Recorded)
        state = await net.checkins.followups.set_contact(user, practice_id, True)
        assert isinstance(state, FollowUpState)
    assert await net.world.count(Escalation) == 0
    assert await net.world.count(BaselineAlert) == 0
    assert not [k for _, k, _ in net.notifier.transcript if "alert" in k]
    net.world.clock.advance(hours=1)
    assert isinstance(await net.checkins.closing.close_checkin(practice_id, CORA), CheckInClosed)
    summary = await net.checkins.summaries.summary(practice_id)
    assert isinstance(summary, CheckInSummary) and summary.practice
    [district] = summary.districts
    assert (district.responded, district.previous, district.baseline) == (4, None, None)
    net.world.clock.advance(days=1)

    # Its answers are stored, but nothing that counts has changed.
    assert await net.world.count(Answer) == 15
    after = await figures(net, tmp_path, "after")
    assert after == before

    # Asked for explicitly, an export brings the practice rows along, marked.
    rows = await export_rows(net, tmp_path, "practice", "answers", practice=True)
    assert [r["practice"] for r in rows].count("true") == 4
    assert {r["checkin_id"] for r in rows if r["practice"] == "true"} == {str(practice_id)}
    summaries = await export_rows(net, tmp_path, "practice-sum", "summaries", practice=True)
    assert [(r["checkin_id"], r["practice"]) for r in summaries][-1] == (str(practice_id), "true")

    # The next real check-in compares itself with the last real one, not the practice.
    latest = await run_checkin(net, [2, 2])
    summary = await net.checkins.summaries.summary(latest)
    assert isinstance(summary, CheckInSummary) and not summary.practice
    [district] = summary.districts
    assert district.previous is not None and district.previous.checkin_id == real[-1]
    assert district.baseline == before["baseline"].median  # type: ignore[union-attr]


async def count_of(net: Net, model: type, checkin_id: int) -> int:
    async with services_of(net).uow() as uow:
        found = await uow.session.scalar(
            select(func.count()).select_from(model).where(model.checkin_id == checkin_id)  # type: ignore[attr-defined]
        )
    return int(found or 0)


async def test_a_coordinator_wipes_a_closed_practice_checkin_and_nothing_else(net: Net) -> None:
    real_id = await run_checkin(net, [1, 2, 3])
    started = await net.checkins.start.start_checkin(
        CHRIS, "Oefenen", [OVERVECHT], timedelta(hours=6), True, practice=True
    )
    assert isinstance(started, CheckInStarted)
    practice_id = started.checkin_id
    await net.checkins.broadcast.broadcast(practice_id)
    for user in OVERVECHT_PEOPLE[:3]:
        await net.press(user, practice_id, 3)
    await net.checkins.followups.set_contact(OVERVECHT_PEOPLE[0], practice_id, True)
    wipes = net.checkins.practice

    # Still open: close it first. A chief may not. A real check-in never.
    assert await wipes.wipe(CORA, practice_id) == StillOpen(practice_id)
    net.world.clock.advance(hours=1)
    await net.checkins.closing.close_checkin(practice_id, CORA)
    assert isinstance(await wipes.wipe(CHRIS, practice_id), Denied)
    assert await wipes.wipe(CORA, real_id) == NotPractice(real_id)
    found = await wipes.find(CORA, practice_id)
    assert found == PracticeFound(practice_id, "Oefenen", 3, 1, 1)

    wiped = await wipes.wipe(CORA, practice_id)
    assert isinstance(wiped, Wiped) and (wiped.answers, wiped.follow_ups) == (3, 1)
    for model in (Answer, FollowUp, Delivery, MemberDelivery):
        assert await count_of(net, model, practice_id) == 0
    assert await net.world.rows(select(CheckIn).where(CheckIn.id == practice_id)) == []
    # The real check-in keeps everything.
    assert await count_of(net, Answer, real_id) == 3
    [entry] = await net.world.rows(select(AuditEntry).where(AuditEntry.action == "practice.wiped"))
    assert entry.actor_telegram_id == CORA.telegram_user_id
    assert "Oefenen" not in f"{entry.subject} {entry.details}"
    assert entry.details["answers"] == 3
    # Once gone, it is unknown.
    assert type(await wipes.wipe(CORA, practice_id)).__name__ == "Unknown"
