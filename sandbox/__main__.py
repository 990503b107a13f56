"""Run the sandbox as a separate process: python -m sandbox --port N [--bot TOKEN:USERNAME]."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from sandbox.core import Sandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--bot",
        action="append",
        default=[],
        metavar="TOKEN:USERNAME",
        help="register a bot, e.g. 123456:SECRET:my_bot (repeatable)",
    )
    parser.add_argument("--flood-limits", action="store_true", help="enforce flood limits")
    parser.add_argument("--no-privacy", action="store_true", help="bots start with privacy off")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start, print the URL line, and run until SIGINT/SIGTERM."""
    sb = Sandbox(args.host, args.port, flood_limits=args.flood_limits)
    for spec in args.bot:
        token, _, username = spec.rpartition(":")
        if not token or ":" not in token:
            raise SystemExit(f"--bot expects TOKEN:USERNAME, got {spec!r}")
        sb.add_bot(token, username, privacy_mode=not args.no_privacy)
    await sb.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(f"sandbox listening on {sb.url} base_url={sb.base_url}", flush=True)
    try:
        await stop.wait()
    finally:
        await sb.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
