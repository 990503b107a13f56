"""`bondgenoten privacy export|erase` and `bondgenoten retention`: requests by letter or e-mail.

A coordinator handles a person's request from the command line as the chat would: the same
services, the same audit entries. An erasure tells the person's chiefs and the coordinators
through Telegram when a bot token is configured.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.cli_texts import say
from bot.settings import Settings
from services.meetings.dietary import KEEP_AFTER_START
from services.ports import Notice, Sent

if TYPE_CHECKING:  # the command line imports the services only when a command needs them
    from services.container import Services

T = TypeVar("T")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Untold:
    """The notifier without a bot token: counts what could not be said."""

    def __init__(self) -> None:
        self.untold = 0

    async def notify(self, chat_id: int, notice: Notice, language: str | None = None) -> Sent:
        self.untold += 1
        return Sent(False, error="failed", description="no bot token")

    async def set_commands(
        self, chat_id: int, commands: Sequence[str], language: str | None = None
    ) -> Sent:
        return Sent(False, error="failed", description="no bot token")


@asynccontextmanager
async def _services(settings: Settings, tell: bool) -> AsyncIterator[tuple[Services, _Untold]]:
    """The services on the configured database; with tell, a notifier over Telegram."""
    from telegram import Bot
    from telegram.error import TelegramError

    from bot.compose import OFFLINE, build_services
    from bot.telegram_http import AiohttpRequest
    from handlers.notifier import TelegramNotifier
    from services.ports import Notifier, SystemClock
    from storage.engine import create_engine, make_sessionmaker
    from storage.uow import UnitOfWorkFactory

    engine = create_engine(settings.database_url)
    untold = _Untold()
    try:
        uow = UnitOfWorkFactory(make_sessionmaker(engine))
        bot = None
        if tell and settings.token is not None:
            bot = Bot(
                settings.token.get_secret_value(),
                base_url=settings.telegram_api_url,
                base_file_url=settings.telegram_file_url,
                request=AiohttpRequest(),
            )
            try:
                await bot.initialize()
            except TelegramError as exc:
                # Telegram out of reach must not stop the erasure: say who was not told.
                print(say(settings, "cli.telegram_unreachable", reason=exc), file=sys.stderr)
                bot = None
        notifier: Notifier = (
            TelegramNotifier(bot, settings.tz, settings.language)
            if bot is not None
            else cast(Notifier, untold)
            if tell
            else OFFLINE
        )
        try:
            yield build_services(settings, uow, SystemClock(), notifier), untold
        finally:
            if bot is not None:
                await bot.shutdown()
    finally:
        await engine.dispose()


def _run(settings: Settings, work: Callable[[], Coroutine[Any, Any, T]]) -> T | int:
    """Run the work; a database that cannot be reached is one line and exit status 1."""
    try:
        return asyncio.run(work())
    except (SQLAlchemyError, OSError) as exc:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        unusable = say(settings, "cli.cannot_use", where=where, reason=reason)
        print(f"error: {unusable}", file=sys.stderr)
        return EXIT_FAILED


def export_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `privacy export`."""
    parser.add_argument("--telegram-id", type=int, metavar="N", help="required")
    parser.add_argument(
        "--output", metavar="DIR", type=Path, default=Path("."), help="a folder (default: here)"
    )


def erase_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `privacy erase`."""
    parser.add_argument("--telegram-id", type=int, metavar="N", help="required")
    parser.add_argument("--yes", action="store_true", help="do not ask to confirm")


def cmd_privacy_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write everything stored about one person to a JSON and a text file."""
    from handlers.privacy.texts import copy_json, copy_text
    from services.privacy import NotKnown, TooSoon

    if args.telegram_id is None or args.telegram_id <= 0:
        print(f"error: {say(settings, 'cli.privacy.telegram_id')}", file=sys.stderr)
        return EXIT_USAGE
    if not args.output.is_dir():
        folder = say(settings, "cli.privacy.not_a_folder", path=args.output)
        print(f"error: {folder}", file=sys.stderr)
        return EXIT_USAGE

    async def work() -> object:
        async with _services(settings, tell=False) as (services, _):
            return await services.privacy.copy(args.telegram_id, via="cli")

    made = _run(settings, work)
    if isinstance(made, int):
        return made
    if isinstance(made, NotKnown):
        print(say(settings, "cli.privacy.unknown", id=args.telegram_id))
        return EXIT_OK
    assert not isinstance(made, TooSoon)  # only the chat is rate-limited
    from services.privacy.copy import PersonalCopy

    assert isinstance(made, PersonalCopy)
    stamp = made.made_at.astimezone(settings.tz).strftime("%Y-%m-%d")
    base = args.output / f"mijngegevens-{args.telegram_id}-{stamp}"
    written = []
    for suffix, data in (
        (".json", copy_json(made)),
        (".txt", copy_text(made, settings.tz, made.language or settings.language)),
    ):
        path = base.with_suffix(suffix)
        path.write_bytes(data)
        written.append(str(path))
    print(say(settings, "cli.privacy.wrote", files=say(settings, "cli.privacy.and").join(written)))
    return EXIT_OK


def cmd_privacy_erase(args: argparse.Namespace, settings: Settings) -> int:
    """Erase one person, as /vergeetmij does; asks to confirm unless --yes."""
    from services.privacy import Erased, ErasureQuestion, NotKnown

    if args.telegram_id is None or args.telegram_id <= 0:
        print(f"error: {say(settings, 'cli.privacy.telegram_id')}", file=sys.stderr)
        return EXIT_USAGE

    async def ask() -> object:
        async with _services(settings, tell=False) as (services, _):
            return await services.privacy.erasure_question(args.telegram_id)

    question = _run(settings, ask)
    if isinstance(question, int):
        return question
    if isinstance(question, NotKnown):
        print(say(settings, "cli.privacy.nothing_to_erase", id=args.telegram_id))
        return EXIT_OK
    assert isinstance(question, ErasureQuestion)
    districts = ", ".join(question.districts) or say(settings, "cli.privacy.no_districts")
    kept = question.answers_kept_anonymously
    answers = say(
        settings, "cli.privacy.answers_anonymous" if kept else "cli.privacy.answers_deleted"
    )
    print(
        say(
            settings,
            "cli.privacy.question",
            id=args.telegram_id,
            districts=districts,
            answers=answers,
        )
    )
    if not args.yes:
        word = say(settings, "cli.privacy.confirm_word")
        try:
            typed = input(say(settings, "cli.privacy.confirm", word=word))
        except EOFError:
            typed = ""
        if typed.strip() != word:
            print(say(settings, "cli.privacy.kept"))
            return EXIT_FAILED

    async def erase() -> tuple[object, int]:
        async with _services(settings, tell=True) as (services, untold):
            return await services.privacy.erase(args.telegram_id, via="cli"), untold.untold

    done = _run(settings, erase)
    if isinstance(done, int):
        return done
    outcome, untold = done
    if not isinstance(outcome, Erased):
        print(say(settings, "cli.privacy.nothing_to_erase", id=args.telegram_id))
        return EXIT_OK
    counts = outcome.counts.as_details()
    print(say(settings, "cli.privacy.erased", id=args.telegram_id, counts=counts))
    if untold:
        print(say(settings, "cli.privacy.untold", n=untold))
    return EXIT_OK


def retention_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `retention`."""
    parser.add_argument("--dry-run", action="store_true", help="only say what would go")


def cmd_retention(args: argparse.Namespace, settings: Settings) -> int:
    """Remove what the retention periods say has been kept long enough (--dry-run: list it)."""
    from services.privacy.retention import COUNTS, RetentionRun

    async def work() -> RetentionRun:
        async with _services(settings, tell=False) as (services, _):
            return await services.retention.run(dry_run=args.dry_run)

    run = _run(settings, work)
    if isinstance(run, int):
        return run
    kept = settings.retention
    periods = {
        "free_texts": kept.free_texts_days,
        "escalations": kept.free_texts_days,
        "answers": kept.answers_days,
        "private_deliveries": kept.answers_days,
        "invitations": kept.invitations_days,
        "audit_entries": kept.audit_days,
        "left_people": kept.left_people_days,
    }
    print(say(settings, "cli.retention.dry_run" if run.dry_run else "cli.retention.removed"))
    hours = int(KEEP_AFTER_START.total_seconds() // 3600)
    for kind in COUNTS:
        kept_for = (
            say(settings, "cli.retention.kept_days", days=periods[kind])
            if kind in periods
            else say(settings, "cli.retention.kept_hours", hours=hours)
        )
        print(f"  {kind:<20} {run.counts[kind]:>8}   ({kept_for})")
    return EXIT_OK
