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

from bot.cli_texts import say as _say
from bot.logging_setup import RedactingStream, Redactor
from bot.privacy_cli import (
    cmd_privacy_erase,
    cmd_privacy_export,
    cmd_retention,
    erase_arguments,
    retention_arguments,
)
from bot.privacy_cli import export_arguments as privacy_export_arguments
from bot.settings import ConfigError, Settings, available_language, load_settings
from handlers.i18n import LANGUAGES

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
        return _fail(_say(settings, "cli.no_token"), EXIT_USAGE)
    if args.health_port is not None and not 1 <= args.health_port <= 65535:
        return _fail(_say(settings, "cli.health_port", port=args.health_port), EXIT_USAGE)
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
        where = _where(settings)
        return _fail(_say(settings, "cli.upgrade.newer", where=where, reason=exc), EXIT_FAILED)
    except DatabaseProblem as exc:
        return _fail(f"{exc}", EXIT_USAGE)
    except (SQLAlchemyError, OSError) as exc:
        failed = _say(settings, "cli.upgrade.failed", where=_where(settings), reason=_reason(exc))
        return _fail(failed, EXIT_FAILED)
    revision = revision or _say(settings, "cli.upgrade.no_revision")
    print(_say(settings, "cli.upgrade.done", revision=revision))
    return EXIT_OK


def cmd_config_check(args: argparse.Namespace, settings: Settings) -> int:
    """Check the configuration and show what the bot would use, secrets masked."""
    print(_say(settings, "cli.config.valid"))
    for line in settings.describe():
        print(f"  {line}")
    if settings.token is None:
        print(_say(settings, "cli.config.no_token"))
    for warning in settings.warnings():
        print(_say(settings, "cli.config.warning", warning=warning), file=sys.stderr)
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
    _language_argument(parser, "the language of the answer scale's labels in the file")


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help="an empty database to use instead of a temporary SQLite file",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    _language_argument(parser, "the demo's language, bot and frame")


def _language_argument(parser: argparse.ArgumentParser, what: str) -> None:
    # Checked by the command, so that a typo gets one line naming the languages there are.
    parser.add_argument(
        "--language",
        metavar="CODE",
        help=f"{what} (default: the configured language; one of {', '.join(LANGUAGES)})",
    )


def _language(args: argparse.Namespace, settings: Settings) -> str | int:
    """The --language given (checked), else the configured one; an exit status if it is wrong."""
    if args.language is None:
        return settings.language
    try:
        return available_language(args.language)
    except ValueError:
        choices = ", ".join(LANGUAGES)
        wrong = _say(settings, "cli.language", value=repr(args.language), choices=choices)
        return _fail(wrong, EXIT_USAGE)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Play a whole check-in in a local Telegram sandbox: no token, no network needed."""
    language = _language(args, settings)
    if isinstance(language, int):
        return language
    database, failed = _empty_database(args.database, settings, "cli.demo.not_empty")
    if failed is not None:
        return failed
    from bot.demo.main import run_demo

    return run_demo(database, args.json, language)


def _empty_database(
    given: str | None, settings: Settings, not_empty: str
) -> tuple[str | None, int | None]:
    """The --database URL, checked to be usable and empty; or (None, exit code) on a problem."""
    import asyncio

    from pydantic import ValidationError

    from storage.migrate import DatabaseProblem, check_location, holds_data

    if given is None:
        return None, None
    try:
        database = Settings(database_url=given).database_url
    except ValidationError as exc:
        why = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        return None, _fail(f"--database {why}", EXIT_USAGE)
    try:
        check_location(database, must_exist=False)
        full = asyncio.run(holds_data(database))
    except DatabaseProblem as exc:
        return None, _fail(f"--database: {exc}", EXIT_USAGE)
    except (SQLAlchemyError, OSError) as exc:
        where = make_url(database).render_as_string(hide_password=True)
        opened = _say(settings, "cli.cannot_open", where=where, reason=_reason(exc))
        return None, _fail(opened, EXIT_FAILED)
    if full:
        where = make_url(database).render_as_string(hide_password=True)
        return None, _fail(_say(settings, not_empty, where=where), EXIT_USAGE)
    return database, None


def _play_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        help="an empty database to use instead of a temporary SQLite file",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="the page's port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="print the address, do not open a browser"
    )


def cmd_play(args: argparse.Namespace, settings: Settings) -> int:
    """Try the real bot in a local web page, as any of a seeded network's people: no Telegram."""
    if not 0 <= args.port <= 65535:
        return _fail(_say(settings, "cli.play.port"), EXIT_USAGE)
    database, failed = _empty_database(args.database, settings, "cli.play.not_empty")
    if failed is not None:
        return failed
    from play.main import run_play

    def texts(key: str, **values: object) -> str:
        return _say(settings, key, **values)

    return run_play(database, args.port, not args.no_browser, texts)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Export answers, per-district summaries or the audit log to CSV, XLSX or JSON Lines."""
    import asyncio
    from datetime import date

    from services import exports as ex
    from services.outcomes import Denied, UnknownDistrict

    if args.format is None or args.output is None:
        return _fail(_say(settings, "cli.export.required"), EXIT_USAGE)
    language = _language(args, settings)
    if isinstance(language, int):
        return language
    if args.meetings:
        return _export_meetings(args, settings)
    to_stdout = str(args.output) == "-"
    if to_stdout and args.format == "xlsx":
        return _fail(_say(settings, "cli.export.stdout_xlsx"), EXIT_USAGE)
    if not to_stdout and args.output.exists() and not args.output.is_dir() and not args.force:
        return _fail(_say(settings, "cli.export.exists", path=args.output), EXIT_USAGE)
    kind: ex.ExportKind = "audit" if args.audit else "summaries" if args.summaries else "answers"
    k: int | None = None
    if args.min_respondents is not None:
        raw = args.min_respondents or str(settings.export.min_respondents)
        if kind != "summaries" or not raw.isdigit() or int(raw) < 1:
            return _fail(_say(settings, "cli.export.min_respondents"), EXIT_USAGE)
        k = int(raw)
    if kind == "audit" and (args.district or args.names):
        return _fail(_say(settings, "cli.export.audit_filters"), EXIT_USAGE)
    if kind == "audit" and args.practice:
        return _fail(_say(settings, "cli.export.audit_practice"), EXIT_USAGE)
    days: list[date | None] = []
    for option, raw in (("since", args.since), ("until", args.until)):
        try:
            days.append(None if raw is None else date.fromisoformat(raw))
        except ValueError:
            bad = _say(settings, "cli.export.bad_date", option=option, value=repr(raw))
            return _fail(bad, EXIT_USAGE)
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
            # The file's labels in the language asked for; the messages here stay configured.
            labelled = settings.model_copy(update={"language": language})
            services = build_services(labelled, uow, SystemClock())
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
        newer = _say(settings, "cli.cannot_read_newer", where=_where(settings), reason=exc)
        return _fail(newer, EXIT_FAILED)
    except DatabaseProblem as exc:
        return _fail(f"{exc}", EXIT_USAGE)
    except (SQLAlchemyError, OSError) as exc:
        unread = _say(settings, "cli.cannot_read", where=_where(settings), reason=_reason(exc))
        return _fail(unread, EXIT_FAILED)
    match outcome:
        case ex.Exported(path=path, rows=rows):
            # On standard output the data is the output; the count goes to stderr.
            shown = _say(settings, "cli.export.stdout") if to_stdout else path
            done = _say(
                settings, "cli.export.done", rows=rows, kind=kind, format=args.format, target=shown
            )
            print(done, file=sys.stderr if to_stdout else sys.stdout)
            return EXIT_OK
        case UnknownDistrict(name=name, suggestions=near):
            hint = ", ".join(repr(n) for n in near)
            also = (
                _say(settings, "cli.export.did_you_mean", names=hint)
                if near
                else _say(settings, "cli.export.no_similar")
            )
            unknown = _say(settings, "cli.export.unknown_district", name=repr(name), hint=also)
            return _fail(unknown, EXIT_USAGE)
        case ex.BadPeriod(since=first, until=last):
            return _fail(
                _say(settings, "cli.export.bad_period", since=first, until=last), EXIT_USAGE
            )
        case ex.NoPseudonymKey():
            return _fail(_say(settings, "cli.export.no_pseudonym_key"), EXIT_USAGE)
        case ex.Unwritable(path=path, reason=why):
            return _fail(
                _say(settings, "cli.export.cannot_write", path=path, reason=why), EXIT_USAGE
            )
        case ex.WriteFailed(path=path, reason=why):
            failed = _say(settings, "cli.export.write_failed", path=path, reason=why)
            return _fail(failed, EXIT_FAILED)
        case Denied() | ex.NamesNotAllowed():  # only chat users are refused; kept for mypy
            return _fail(_say(settings, "cli.export.not_allowed"), EXIT_USAGE)


def _export_meetings(args: argparse.Namespace, settings: Settings) -> int:
    """Write every meeting with its counts (no personal data) as CSV; audited."""
    import asyncio

    if args.format != "csv":
        return _fail(_say(settings, "cli.meetings.csv_only"), EXIT_USAGE)
    if args.district or args.names or args.since or args.until or args.min_respondents:
        return _fail(_say(settings, "cli.meetings.options"), EXIT_USAGE)
    if args.practice:
        return _fail(_say(settings, "cli.meetings.options"), EXIT_USAGE)

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
        return _fail(_say(settings, "cli.cannot_read", where=where, reason=reason), EXIT_FAILED)
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        why = exc.strerror or exc
        return _fail(
            _say(settings, "cli.export.cannot_write", path=args.output, reason=why), EXIT_USAGE
        )
    print(_say(settings, "cli.meetings.done", rows=rows, path=args.output))
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
    Command(("play",), cmd_play, _play_arguments),
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
        failure = _say(settings, "cli.unexpected", reason=_reason(exc))
        if not _debug(args, settings):
            failure += " " + _say(settings, "cli.debug_hint")
        return _fail(failure, EXIT_FAILED)
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
