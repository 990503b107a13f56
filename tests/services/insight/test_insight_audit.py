"""The audit log page by page: newest first, stable cursors, coordinators only."""

from __future__ import annotations

from insight_world import CHRIS, CORA, InsightWorld

from services.insight import AuditPage, InsightService
from services.outcomes import DENIED


def ids(page: AuditPage | object) -> list[int]:
    assert isinstance(page, AuditPage)
    return [entry.id for entry in page.entries]


async def test_pages_newest_first_with_cursors_both_ways(
    insight: InsightService, insight_world: InsightWorld
) -> None:
    made = await insight_world.audit(25)
    first = await insight.audit(CORA)
    assert isinstance(first, AuditPage)
    assert ids(first) == made[::-1][:10]
    assert (first.newer, first.older) == (None, made[15])

    second = await insight.audit(CORA, before=first.older)
    assert isinstance(second, AuditPage)
    assert ids(second) == made[::-1][10:20]
    assert (second.newer, second.older) == (made[14], made[5])

    last = await insight.audit(CORA, before=second.older)
    assert isinstance(last, AuditPage)
    assert ids(last) == made[4::-1]
    assert (last.newer, last.older) == (made[4], None)

    # Back again: the ten just newer than the last page's top.
    back = await insight.audit(CORA, after=last.newer)
    assert ids(back) == ids(second)

    # New entries do not shift the older pages.
    await insight_world.audit(3)
    assert ids(await insight.audit(CORA, before=first.older)) == ids(second)


async def test_an_entry_as_read(insight: InsightService, insight_world: InsightWorld) -> None:
    await insight_world.person(CORA)
    [made] = await insight_world.audit(1)
    [unknown] = await insight_world.audit(1, actor=None)
    page = await insight.audit(CORA)
    assert isinstance(page, AuditPage)
    newest, oldest = page.entries
    assert newest.id == unknown and newest.actor_telegram_id is None
    assert newest.actor_name is None
    assert (oldest.id, oldest.actor_telegram_id, oldest.actor_name) == (made, 1001, "Cora")
    assert (oldest.action, oldest.subject) == ("export.answers", "chat 0")
    assert oldest.details == {"format": "csv", "rows": 0, "names": True}
    assert oldest.at.utcoffset() is not None


async def test_a_cursor_that_leads_nowhere_gives_the_latest_page(
    insight: InsightService, insight_world: InsightWorld
) -> None:
    made = await insight_world.audit(3)
    assert ids(await insight.audit(CORA, after=made[-1])) == made[::-1]
    assert ids(await insight.audit(CORA, before=made[0])) == made[::-1]


async def test_empty_log_and_refusal(insight: InsightService, insight_world: InsightWorld) -> None:
    assert await insight.audit(CORA) == AuditPage((), None, None)
    await insight_world.audit(2)
    assert await insight.audit(CHRIS) == DENIED
