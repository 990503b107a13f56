"""The `bondgenoten` command line.

To add a command: write `cmd_x(args, settings) -> int` with a one-line docstring (it becomes
the help line), and add one `Command` to COMMANDS. Give it `arguments=` to add options.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import sys
import tempfile
import traceback
from argparse import SUPPRESS
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.logging_setup import RedactingStream, Redactor
from bot.privacy_cli import (
    cmd_privacy_erase,
    cmd_privacy_export,
    cmd_retention,
    erase_arguments,
    retention_arguments,
)
from bot.privacy_cli import export_arguments as privacy_export_arguments
from bot.settings import ConfigError, Settings, load_settings

# 2 is what argparse uses for a usage error; a configuration that cannot be used is one too.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--health-port",
        type=int,
        metavar="PORT",
        help="polling mode: answer GET /healthz on 127.0.0.1:PORT (webhook mode always does, "
        "on the webhook's own port)",
    )


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the bot and answer Telegram updates until stopped."""
    if settings.token is None:
        return _fail("no bot token: set BONDGENOTEN_TOKEN to the token from BotFather", EXIT_USAGE)
    if args.health_port is not None and not 1 <= args.health_port <= 65535:
        return _fail(f"--health-port {args.health_port} is not a port (1-65535)", EXIT_USAGE)
    from bot.runner import run_bot  # imported here so other commands need no Telegram set-up

    return run_bot(
        settings,
        log_format=getattr(args, "log_format", "text"),
        debug=_debug(args, settings),
        health_port=args.health_port,
    )


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Apply database migrations."""
    from storage.migrate import DatabaseProblem, NewerDatabase, upgrade

    try:
        revision = upgrade(settings.database_url)
    except NewerDatabase as exc:
        return _fail(f"cannot upgrade {_where(settings)}: {exc}", EXIT_FAILED)
    except DatabaseProblem as exc:
        return _fail(f"{exc}", EXIT_USAGE)
    except (SQLAlchemyError, OSError) as exc:
        reason = _reason(exc)
        return _fail(f"cannot upgrade the database {_where(settings)}: {reason}", EXIT_FAILED)
    print(f"Database is up to date (revision {revision or 'none'})")
    return EXIT_OK


def cmd_config_check(args: argparse.Namespace, settings: Settings) -> int:
    """Check the configuration and show what the bot would use, secrets masked."""
    print("Configuration is valid. The bot would use:")
    for line in settings.describe():
        print(f"  {line}")
    if settings.token is None:
        print("note: no token set; `bondgenoten run` needs BONDGENOTEN_TOKEN from BotFather")
    for warning in settings.warnings():
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    # Required, but checked by cmd_export: a bad config file is reported before any usage.
    parser.add_argument("--format", choices=("csv", "xlsx", "jsonl"), help="required")
    parser.add_argument(
        "--output", metavar="FILE", type=Path, help="required; - for standard output (csv, jsonl)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing FILE")
    parser.add_argument(
        "--district",
        action="append",
        default=[],
        metavar="NAME",
        help="repeat for more (default: all)",
    )
    # Dates are parsed by cmd_export, so that a bad one gets one line, not argparse's usage.
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="first local day (inclusive)")
    parser.add_argument("--until", metavar="YYYY-MM-DD", help="last local day (inclusive)")
    parser.add_argument("--names", action="store_true", help="add names and Telegram ids")
    parser.add_argument(
        "--practice",
        action="store_true",
        help="include practice check-ins (left out otherwise), marked in a 'practice' column",
    )
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--summaries", action="store_true", help="per check-in and district")
    kind.add_argument("--audit", action="store_true", help="the audit log instead")
    kind.add_argument(
        "--meetings", action="store_true", help="meetings with their counts (CSV, no names)"
    )
    parser.add_argument(
        "--min-respondents",
        nargs="?",
        const="",  # given without K: the config's export.min_respondents
        metavar="K",
        help="with --summaries: blank figures under K respondents instead of the config's "
        "export.min_respondents (which applies without this option too)",
    )


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help="an empty database to use instead of a temporary SQLite file",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Play a whole check-in in a local Telegram sandbox: no token, no network needed."""
    import asyncio

    from pydantic import ValidationError

    from storage.migrate import DatabaseProblem, check_location, holds_data

    database = None
    if args.database is not None:
        try:
            database = Settings(database_url=args.database).database_url
        except ValidationError as exc:
            why = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
            return _fail(f"--database {why}", EXIT_USAGE)
        try:
            check_location(database, must_exist=False)
            full = asyncio.run(holds_data(database))
        except DatabaseProblem as exc:
            return _fail(f"--database: {exc}", EXIT_USAGE)
        except (SQLAlchemyError, OSError) as exc:
            where = make_url(database).render_as_string(hide_password=True)
            return _fail(f"cannot open the database {where}: {_reason(exc)}", EXIT_FAILED)
        if full:
            where = make_url(database).render_as_string(hide_password=True)
            return _fail(
                f"--database {where} already holds districts or people: the demo needs an "
                "empty database (or none: leave out --database for a temporary one)",
                EXIT_USAGE,
            )
    from bot.demo.main import run_demo

    return run_demo(database, args.json)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Export answers, per-district summaries or the audit log to CSV, XLSX or JSON Lines."""
    import asyncio
    from datetime import date

    from services import exports as ex
    from services.outcomes import Denied, UnknownDistrict

    if args.format is None or args.output is None:
        return _fail("--format csv|xlsx|jsonl and --output FILE are required", EXIT_USAGE)
    if args.meetings:
        return _export_meetings(args, settings)
    to_stdout = str(args.output) == "-"
    if to_stdout and args.format == "xlsx":
        return _fail("--output - (standard output) takes csv or jsonl, not xlsx", EXIT_USAGE)
    if not to_stdout and args.output.exists() and not args.output.is_dir() and not args.force:
        return _fail(f"{args.output} already exists: add --force to replace it", EXIT_USAGE)
    kind: ex.ExportKind = "audit" if args.audit else "summaries" if args.summaries else "answers"
    k: int | None = None
    if args.min_respondents is not None:
        raw = args.min_respondents or str(settings.export.min_respondents)
        if kind != "summaries" or not raw.isdigit() or int(raw) < 1:
            return _fail("--min-respondents needs --summaries and a K of at least 1", EXIT_USAGE)
        k = int(raw)
    if kind == "audit" and (args.district or args.names):
        return _fail("--district and --names do not apply to --audit", EXIT_USAGE)
    if kind == "audit" and args.practice:
        return _fail("--practice does not apply to --audit", EXIT_USAGE)
    days: list[date | None] = []
    for option, raw in (("since", args.since), ("until", args.until)):
        try:
            days.append(None if raw is None else date.fromisoformat(raw))
        except ValueError:
            return _fail(f"--{option} {raw!r} is not a date: use YYYY-MM-DD", EXIT_USAGE)
    since, until = days
    request = ex.ExportRequest(
        args.format,
        kind,
        since,
        until,
        tuple(args.district),
        args.names,
        min_respondents=k,
        practice=args.practice,
    )

    async def run(output: Path) -> ex.ExportOutcome:
        from bot.compose import build_services
        from services.ports import SystemClock
        from storage.engine import create_engine, make_sessionmaker
        from storage.migrate import check_at_head, check_location
        from storage.uow import UnitOfWorkFactory

        # Before an engine exists: SQLite would create a missing file, and aiosqlite's worker
        # thread may report a failed connection after the loop is gone.
        check_location(settings.database_url, must_exist=True)
        engine = create_engine(settings.database_url)
        try:
            await check_at_head(engine)
            uow = UnitOfWorkFactory(make_sessionmaker(engine))
            services = build_services(settings, uow, SystemClock())
            return await services.exports.export(None, request, output)
        finally:
            await engine.dispose()

    from storage.migrate import DatabaseProblem, NewerDatabase

    try:
        with _stdout_file(to_stdout, args.output) as output:
            outcome = asyncio.run(run(output))
            if to_stdout and isinstance(outcome, ex.Exported):
                _copy_to_stdout(output)
    except NewerDatabase as exc:
        return _fail(f"cannot read {_where(settings)}: {exc}", EXIT_FAILED)
    except DatabaseProblem as exc:
        return _fail(f"{exc}", EXIT_USAGE)
    except (SQLAlchemyError, OSError) as exc:
        return _fail(f"cannot read the database {_where(settings)}: {_reason(exc)}", EXIT_FAILED)
    match outcome:
        case ex.Exported(path=path, rows=rows):
            # On standard output the data is the output; the count goes to stderr.
            shown = "standard output" if to_stdout else path
            print(
                f"Exported {rows} rows ({kind}, {args.format}) to {shown}",
                file=sys.stderr if to_stdout else sys.stdout,
            )
            return EXIT_OK
        case UnknownDistrict(name=name, suggestions=near):
            hint = ", ".join(repr(n) for n in near)
            also = f"did you mean {hint}?" if near else "no district has a similar name"
            return _fail(f"unknown district {name!r} ({also})", EXIT_USAGE)
        case ex.BadPeriod(since=first, until=last):
            return _fail(f"--since {first} is after --until {last}", EXIT_USAGE)
        case ex.NoPseudonymKey():
            return _fail(
                "no pseudonym key: set privacy.pseudonym_key in the config file (or "
                "BONDGENOTEN_PRIVACY__PSEUDONYM_KEY) to a long random secret, and keep it: "
                "it keeps each person's pseudonym the same in every export",
                EXIT_USAGE,
            )
        case ex.Unwritable(path=path, reason=why):
            return _fail(f"cannot write {path}: {why}", EXIT_USAGE)
        case ex.WriteFailed(path=path, reason=why):
            return _fail(f"export to {path} failed, no file was left: {why}", EXIT_FAILED)
        case Denied() | ex.NamesNotAllowed():  # only chat users are refused; kept for mypy
            return _fail("not allowed", EXIT_USAGE)


def _export_meetings(args: argparse.Namespace, settings: Settings) -> int:
    """Write every meeting with its counts (no personal data) as CSV; audited."""
    import asyncio

    if args.format != "csv":
        return _fail("--meetings is exported as CSV only: use --format csv", EXIT_USAGE)
    if args.district or args.names or args.since or args.until or args.min_respondents:
        return _fail("--meetings takes only --format csv and --output FILE", EXIT_USAGE)
    if args.practice:
        return _fail("--meetings takes only --format csv and --output FILE", EXIT_USAGE)

    async def run() -> tuple[bytes, int]:
        from bot.compose import build_services
        from services.ports import SystemClock
        from storage.engine import create_engine, make_sessionmaker
        from storage.uow import UnitOfWorkFactory

        engine = create_engine(settings.database_url)
        try:
            uow = UnitOfWorkFactory(make_sessionmaker(engine))
            services = build_services(settings, uow, SystemClock())
            return await services.meetings.headcount.export_meetings(None)
        finally:
            await engine.dispose()

    try:
        data, rows = asyncio.run(run())
    except SQLAlchemyError as exc:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _fail(f"cannot read the database {where}: {reason}", EXIT_FAILED)
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        return _fail(f"cannot write {args.output}: {exc.strerror or exc}", EXIT_USAGE)
    print(f"Exported {rows} meetings (csv) to {args.output}")
    return EXIT_OK


@contextmanager
def _stdout_file(to_stdout: bool, output: Path) -> Iterator[Path]:
    """The path to export to: the given one, or for standard output a private temporary file
    named "-" (the name the audit log keeps), removed afterwards."""
    if not to_stdout:
        yield output
        return
    with tempfile.TemporaryDirectory(prefix="bondgenoten-export-") as folder:
        yield Path(folder) / "-"


def _copy_to_stdout(path: Path) -> None:
    sys.stdout.flush()
    with path.open("rb") as file:
        shutil.copyfileobj(file, sys.stdout.buffer)
    sys.stdout.buffer.flush()


def _bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="smaller, under a minute")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--database", metavar="URL", help="PostgreSQL server to use (default: SQLite files)"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SCENARIO",
        help="run only this scenario (broadcast, answers, export, restart); repeatable",
    )
    # For the tests and for looking into a run; not for people.
    parser.add_argument("--tiny", action="store_true", help=SUPPRESS)
    parser.add_argument("--keep", action="store_true", help=SUPPRESS)


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    """Measure the bot against Telegram's limits and bare PTB (sandbox, separate processes)."""
    import asyncio

    from bench import FULL, QUICK, TINY
    from bench.main import SCENARIOS, run_bench
    from bench.processes import BenchError
    from bench.report import as_json, table

    unknown = [name for name in args.only if name not in SCENARIOS]
    if unknown:
        return _fail(f"unknown scenario {unknown[0]!r}: use {', '.join(SCENARIOS)}", EXIT_USAGE)
    database = None
    if args.database is not None:
        try:
            database = Settings(database_url=args.database).database_url
        except ValueError:
            return _fail("--database must be a database URL, e.g. postgresql://…", EXIT_USAGE)
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    try:
        report = asyncio.run(run_bench(sizes, database, args.only, args.keep))
    except (BenchError, SQLAlchemyError, OSError) as exc:
        notes = "; ".join(getattr(exc, "__notes__", []))
        return _fail(f"the benchmark could not finish: {exc} ({notes})", EXIT_FAILED)
    print(as_json(report) if args.json else table(report))
    return EXIT_OK


@dataclass(frozen=True)
class Command:
    """One command: the words that name it and the function that runs it."""

    words: tuple[str, ...]
    handler: Callable[[argparse.Namespace, Settings], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None

    @property
    def help(self) -> str:
        return (self.handler.__doc__ or "").strip().splitlines()[0].rstrip(".")


COMMANDS: tuple[Command, ...] = (
    Command(("run",), cmd_run, _run_arguments),
    Command(("db", "upgrade"), cmd_db_upgrade),
    Command(("config", "check"), cmd_config_check),
    Command(("export",), cmd_export, _export_arguments),
    Command(("privacy", "export"), cmd_privacy_export, privacy_export_arguments),
    Command(("privacy", "erase"), cmd_privacy_erase, erase_arguments),
    Command(("retention",), cmd_retention, retention_arguments),
    Command(("bench",), cmd_bench, _bench_arguments),
    Command(("demo",), cmd_demo, _demo_arguments),
)
GROUPS = {
    "db": "Manage the database",
    "config": "Inspect the configuration",
    "privacy": "A person's requests: a copy of their data, or erasure",
}


def build_parser() -> argparse.ArgumentParser:
    """Build the parser from COMMANDS; `--config` is accepted before or after the command."""
    # SUPPRESS, so that a subcommand without --config keeps one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        default=SUPPRESS,
        help="config file (default: $BONDGENOTEN_CONFIG, else ./config.toml)",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=SUPPRESS,
        help="log at DEBUG and show the traceback of a failure (secrets stay masked)",
    )
    common.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=SUPPRESS,
        help="json: one JSON object per log line, for log shippers (default: text)",
    )
    parser = argparse.ArgumentParser(
        prog="bondgenoten",
        description="Bondgenoten: neighbourhood sentiment check-ins in Telegram.",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    root = _subcommands(parser, COMMANDS)
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for command in COMMANDS:
        *group, word = command.words  # one word ("run") or a group and a word ("db upgrade")
        place = root
        if group:
            if group[0] not in groups:
                members = [c for c in COMMANDS if c.words[0] == group[0]]
                sub = _parser(root.add_parser, common, group[0], GROUPS.get(group[0]))
                groups[group[0]] = _subcommands(sub, members, skip=1)
            place = groups[group[0]]
        leaf = _parser(place.add_parser, common, word, command.help)
        if command.arguments is not None:
            command.arguments(leaf)
        leaf.set_defaults(handler=command.handler)
    return parser


def _parser(
    make: Callable[..., argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
    description: str | None,
) -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    return make(name, description=description, parents=[common], formatter_class=formatter)


def _subcommands(
    parser: argparse.ArgumentParser, commands: Sequence[Command], skip: int = 0
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    # argparse would list only the first word ("db"); list every full command, one a line.
    width = max(len(" ".join(c.words[skip:])) for c in commands) + 2
    listing = "\n".join(f"{' '.join(c.words[skip:]):<{width}}{c.help}" for c in commands)
    action = parser.add_subparsers(
        title="commands",
        description=listing,
        prog=parser.prog,
        metavar="COMMAND",
        required=True,
        help=SUPPRESS,
    )
    # SUPPRESS hid COMMAND.
    parser.usage = f"{parser.prog} [-h] [--version] [--config PATH] [--debug] COMMAND ..."
    return action


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    if argv is None and handler in (cmd_run, cmd_export):
        # This process is the bot, or an export of a million rows: many short-lived objects,
        # so collect garbage less often (bot/gc_tuning.py). Only as the program itself: a
        # caller passing argv (a test) keeps its own collector settings.
        from bot.gc_tuning import tune_for_throughput

        tune_for_throughput()
    # Whatever reaches the terminal - a message, a library's warning, a traceback - passes a
    # mask for the secrets first: the token must appear in no output, ever.
    redact = Redactor(_secrets(settings))
    streams = sys.stdout, sys.stderr
    sys.stdout = RedactingStream(sys.stdout, redact)
    sys.stderr = RedactingStream(sys.stderr, redact)
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if _debug(args, settings):
            traceback.print_exc()
        hint = "" if _debug(args, settings) else " (run with --debug to see where)"
        return _fail(f"unexpected failure: {_reason(exc)}{hint}", EXIT_FAILED)
    finally:
        sys.stdout.flush()
        sys.stdout, sys.stderr = streams


def version() -> str:
    """The installed version of Bondgenoten."""
    try:
        return importlib.metadata.version("bondgenoten")
    except importlib.metadata.PackageNotFoundError:  # run from a tree that was not installed
        return "unknown (not installed)"


def _secrets(settings: Settings) -> list[str]:
    secrets = (settings.token, settings.webhook.secret_token, settings.privacy.pseudonym_key)
    return [s.get_secret_value() for s in secrets if s is not None]


def _debug(args: argparse.Namespace, settings: Settings) -> bool:
    return bool(getattr(args, "debug", False)) or settings.logging.level == "DEBUG"


def _where(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    """The first line of what went wrong, without the Python around it."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(message: str, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status
