"""Run a module under a profiler that signals switch on and off.

`python -m bench.profiled OUT -m MODULE ARGS...` runs MODULE as `python -m` would.

With BENCH_PROFILE=<folder>, the answer burst runs the bot and bare PTB this way and profiles
exactly the burst: SIGUSR1 starts the profiler (the event loop's thread only; the database
driver's thread is not in it), SIGUSR2 stops it and writes OUT (read it with `pstats`).
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
from types import FrameType


def main(argv: list[str]) -> None:
    """Install the switches, then run the module as `python -m` would."""
    out, dash_m, module, *rest = argv
    if dash_m != "-m":
        raise SystemExit("usage: python -m bench.profiled OUT -m MODULE [ARGS...]")
    profile = cProfile.Profile()

    def start(signum: int, frame: FrameType | None) -> None:
        profile.enable()

    def stop(signum: int, frame: FrameType | None) -> None:
        profile.disable()
        profile.dump_stats(out)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
