"""What the bot's log leaves out: APScheduler's warning of a skipped overlapping run."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import configure_logging


def test_a_skipped_overlapping_run_is_not_logged_but_other_scheduler_warnings_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    configure_logging("INFO", [])
    try:
        scheduler = logging.getLogger("apscheduler.scheduler")
        scheduler.warning(
            'Execution of job "meeting-sweep (trigger: interval[0:00:00.500000])" skipped: '
            "maximum number of running instances reached (1)"
        )
        scheduler.warning('Run time of job "meeting-sweep" was missed by 0:00:03')
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)
    logged = capsys.readouterr().err
    assert "maximum number of running instances" not in logged
    assert 'Run time of job "meeting-sweep" was missed' in logged
