"""The bot's collector settings: start-up objects frozen, young objects collected less often."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator

import pytest

from bot.cli import main
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


@pytest.mark.usefixtures("restore_gc")
def test_only_the_program_itself_tunes_the_collector_not_a_caller_of_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BONDGENOTEN_CONFIG", os.devnull)
    before = gc.get_threshold()
    # A test (or any caller) passing its arguments: the process's collector is its own.
    assert main(["export"]) == 2
    assert gc.get_threshold() == before
    # `bondgenoten export …` as a program (arguments from the command line): tuned.
    monkeypatch.setattr(sys, "argv", ["bondgenoten", "export"])
    assert main() == 2
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert "--format" in capsys.readouterr().err
