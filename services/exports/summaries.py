"""The summaries export: per check-in and district n of N, counts per level, the median."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.checkins.scale import Scale
from services.checkins.stats import median
from services.exports.plan import Plan, Rows
from services.exports.times import local_iso
from services.exports.writers import Cell
from storage.queries import exports
from storage.queries.exports import Batches, Window


def columns(scale: Scale, practice: bool = False) -> tuple[str, ...]:
    """The header: identifiers, n and N, a count per level in scale order, median, marker."""
    levels = tuple(f"level_{code}" for code in scale.codes)
    head = ("checkin_id", "event", "opened_at", "district", "responses", "key_figures")
    # Added with issue 12, after the existing columns: the feedback sent to the district's
    # group after closing, and when it arrived there.
    # Issue 12 part 4, last: "incident" or "pulse" (a recurring pulse's occurrence).
    tail: tuple[str, ...] = ("feedback", "feedback_sent_at", "kind")
    # Issue 17: only when practice check-ins are asked for, a last column marks them.
    if practice:
        tail += ("practice",)
    return (*head, *levels, "median", "suppressed", *tail)


class SummaryFolder:
    """Fold the streamed count rows of each check-in and district into one summary row."""

    def __init__(
        self,
        scale: Scale,
        tz: ZoneInfo,
        rosters: Mapping[int, int],
        k: int | None,
        practice: bool = False,
    ) -> None:
        self._scale, self._tz, self._rosters, self._k = scale, tz, rosters, k
        self._practice = practice
        self._key: tuple[int, int] | None = None
        self._head: Any = None
        self._counts: Counter[int] = Counter()

    def feed(self, batch: Sequence[Any]) -> Rows:
        """Take a batch of count rows; return the summaries completed by it."""
        done: Rows = []
        for r in batch:
            key = (r.checkin_id, r.district_id)
            if key != self._key:
                # The query orders by check-in and district, so a new key closes the last.
                if self._head is not None:
                    done.append(self._row())
                self._key, self._head, self._counts = key, r, Counter()
            if r.code is not None:
                self._counts[r.code] += r.n
        return done

    def rest(self) -> Rows:
        """The last summary, held back until the stream ended."""
        found: Rows = [self._row()] if self._head is not None else []
        self._key, self._head = None, None
        return found

    def _row(self) -> list[Cell]:
        head = self._head
        assert head is not None
        responses = sum(self._counts.values())
        # The N frozen when the check-in closed; for an open one (or a delivery from before
        # that was kept) the current roster stands in, which may differ from the roster of
        # that day — acceptable for an export, and the closing summary uses the same rule.
        frozen = head.key_figures_at_close
        key_figures = self._rosters.get(head.district_id, 0) if frozen is None else frozen
        # Someone who answered and left since still answered: n never exceeds N.
        key_figures = max(key_figures, responses)
        ident: list[Cell] = [
            head.checkin_id,
            head.event,
            local_iso(head.opened_at, self._tz),
            head.district,
        ]
        if self._k is not None and responses < self._k:
            # With few respondents, even the count and the median point at people: blank
            # every figure but N, which says nothing about who answered what.
            blanks: list[Cell] = [None] * (len(self._scale.codes) + 1)
            return [*ident, None, key_figures, *blanks, True, *self._feedback(head)]
        counts: list[Cell] = [self._counts[code] for code in self._scale.codes]
        mid = median(self._counts.elements(), self._scale)
        return [*ident, responses, key_figures, *counts, mid, False, *self._feedback(head)]

    def _feedback(self, head: Any) -> list[Cell]:
        # The chief's own words to the groups: nothing in them points at a respondent.
        sent = head.feedback_sent_at
        found: list[Cell] = [
            head.feedback,
            local_iso(sent, self._tz) if sent is not None else None,
            head.kind,
        ]
        if self._practice:
            found.append(bool(head.practice))
        return found


async def summaries_plan(
    session: AsyncSession, window: Window, scale: Scale, tz: ZoneInfo, k: int | None
) -> Plan:
    """Plan the summaries export; k set blanks the figures of rows under k respondents."""
    # One small row per district, read up front: the fallback N of open check-ins.
    folder = SummaryFolder(scale, tz, await exports.roster_sizes(session), k, window.practice)

    def batches(s: AsyncSession) -> Batches:
        return exports.district_counts(s, window)

    return Plan(
        columns(scale, window.practice), "samenvattingen", batches, folder.feed, folder.rest
    )
