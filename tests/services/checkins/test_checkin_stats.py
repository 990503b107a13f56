"""Median, tally and summary invariants, checked with generated answers (hypothesis)."""

from __future__ import annotations

import statistics
from collections import Counter

from checkin_world import OVERVECHT, Net
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from world import CORA

from services.checkins import DEFAULT_SCALE
from services.checkins.outcomes import CheckInClosed, Recorded
from services.checkins.stats import median, pseudonym, response_rate
from services.checkins.tally import tally_view
from services.checkins.views import CheckInSummary, TallyView

CODES = st.sampled_from(DEFAULT_SCALE.codes)
RANKED = st.integers(min_value=1, max_value=5)


def test_median_examples() -> None:
    assert median([3], DEFAULT_SCALE) == 3.0
    assert median([2, 3], DEFAULT_SCALE) == 2.5  # even: the average of the two middle codes
    assert median([1, 1, 4, 5], DEFAULT_SCALE) == 2.5
    assert median([1, 0, 0, 5, 5], DEFAULT_SCALE) == 5.0  # 'weet niet' is left out
    assert median([0, 0], DEFAULT_SCALE) is None
    assert median([], DEFAULT_SCALE) is None


@given(st.lists(RANKED, min_size=1), st.integers(min_value=0, max_value=5))
def test_median_ignores_dont_know_and_order(ranked: list[int], unknowns: int) -> None:
    codes = ranked + [0] * unknowns
    found = median(codes, DEFAULT_SCALE)
    assert found == statistics.median(ranked)
    assert found == median(list(reversed(codes)), DEFAULT_SCALE)
    assert min(ranked) <= found <= max(ranked)  # type: ignore[operator]
    assert found * 2 == int(found * 2)  # type: ignore[operator]  # a level or halfway between


@given(st.lists(RANKED, min_size=1))
def test_median_splits_the_answers(ranked: list[int]) -> None:
    found = median(ranked, DEFAULT_SCALE)
    assert found is not None
    assert 2 * sum(c <= found for c in ranked) >= len(ranked)
    assert 2 * sum(c >= found for c in ranked) >= len(ranked)


@given(
    st.dictionaries(CODES, st.integers(min_value=1, max_value=30)),
    st.integers(0, 40),
    st.booleans(),
)
def test_tally_view_invariants(counts: dict[int, int], key_figures: int, shown: bool) -> None:
    view = tally_view(DEFAULT_SCALE, counts, key_figures, shown)
    assert view.responded == sum(counts.values())
    assert view.key_figures == max(key_figures, view.responded)
    if shown:
        assert [c.key for c in view.counts] == [str(c) for c in DEFAULT_SCALE.codes]
        assert {int(c.key): c.count for c in view.counts if c.count} == counts
    else:
        assert view.counts == ()


@given(st.integers(0, 2000), st.integers(0, 2000))
def test_pseudonyms_are_distinct_letters(a: int, b: int) -> None:
    assert pseudonym(a).isalpha() and pseudonym(a).isupper()
    assert (pseudonym(a) == pseudonym(b)) == (a == b)
    assert [pseudonym(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


def test_response_rate_without_key_figures() -> None:
    assert response_rate(0, 0) is None
    assert response_rate(3, 4) == 0.75


PRESSES = st.lists(
    st.tuples(st.sampled_from([3001, 3002, 3003, 3004]), st.sampled_from([0, 1, 2, 3, 4, 5, 7])),
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(presses=PRESSES)
async def test_tally_and_summary_match_the_last_answer_of_each_person(
    net: Net, presses: list[tuple[int, int]]
) -> None:
    checkin_id = await net.sent(districts=[OVERVECHT])
    last: dict[int, int] = {}
    for user, code in presses:
        outcome = await net.press(user, checkin_id, code)
        assert isinstance(outcome, Recorded) == DEFAULT_SCALE.has(code)
        if isinstance(outcome, Recorded):
            assert outcome.first_time == (user not in last)
            assert outcome.changed == (user in last and last[user] != code)
            last[user] = code
    expected = Counter(last.values())
    tally = await net.checkins.tallies.tally(checkin_id, net.district_ids[OVERVECHT])
    assert isinstance(tally, TallyView)
    assert tally.responded == len(last) and tally.key_figures == 4
    assert {int(c.key): c.count for c in tally.counts if c.count} == dict(expected)
    closed = await net.checkins.closing.close_checkin(checkin_id, CORA)
    assert isinstance(closed, CheckInClosed)
    [final] = closed.edits
    assert final.message.tally == tally
    summary = await net.checkins.summaries.summary(checkin_id)
    assert isinstance(summary, CheckInSummary)
    [ov] = summary.districts
    assert ov.responded == len(last)
    assert ov.median == median(last.values(), DEFAULT_SCALE)
    assert {int(c.key): c.count for c in ov.counts if c.count} == dict(expected)
