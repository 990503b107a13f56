"""The bot's collector settings: start-up objects frozen, young objects collected less often."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.gc_tuning import YOUNG_THRESHOLD, tune_for_throughput


@pytest.fixture
def restore_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


@pytest.mark.usefixtures("restore_gc")
def test_tuning_freezes_what_lives_and_collects_young_objects_less_often() -> None:
    tune_for_throughput()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD > 700
    # Cycles are still collected.
    assert gc.isenabled()
