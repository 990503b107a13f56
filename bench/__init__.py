"""`bondgenoten bench`: the bot against Telegram's limits and against bare PTB."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """How big each scenario is."""

    name: str
    broadcast_groups: int
    broadcast_key_figures: int
    burst_key_figures: int
    burst_group_size: int
    burst_rate: float  # presses per second
    export_answers: int
    export_xlsx_rows: int
    restart_checkins: int


# The sizes; quick is a tenth (the burst a fifth, at the same rate); tiny is for tests.
FULL = Sizes("full", 300, 2000, 5000, 25, 1000.0, 1_000_000, 200_000, 1000)
QUICK = Sizes("quick", 30, 200, 1000, 25, 1000.0, 100_000, 20_000, 100)
TINY = Sizes("tiny", 3, 12, 60, 20, 200.0, 2000, 500, 20)
