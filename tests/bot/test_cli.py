"""The command line: what a person sees on stdout and stderr, and the exit status."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import types
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.cli import COMMANDS, main
from bot.settings import Settings
from storage.engine import create_engine, make_sessionmaker
from storage.migrate import upgrade_url
from storage.models import District


@pytest.fixture(autouse=True)
def english(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command line's messages in English (language = "en")."""
    monkeypatch.setenv("BONDGENOTEN_LANGUAGE", "en")


SECRET_PART = "AAHk3qZ9sT-x_RealLookingSecret0123456"
TOKEN = f"123456789:{SECRET_PART}"
BAD_CONFIG = 'timezone = "Europe/Amsterdm"\ndatabse_url = "sqlite:///x.db"\n'
BAD_LINES = [
    "error: bad.toml: timezone: unknown time zone 'Europe/Amsterdm' "
    "(did you mean 'Europe/Amsterdam'?)",
    "error: bad.toml: unknown key 'databse_url' (did you mean 'database_url'?)",
]


@pytest.fixture
def fake_runner(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """Stand in for bot.runner, recording the settings run_bot was given."""
    calls: list[Settings] = []

    def run_bot(settings: Settings, **options: object) -> int:
        calls.append(settings)
        return 0

    module = types.ModuleType("bot.runner")
    module.run_bot = run_bot  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.runner", module)
    return calls


@pytest.fixture
def fake_migrate(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stand in for storage.migrate, recording the URL upgrade was given."""
    calls: list[str] = []

    def upgrade(url: str) -> str:
        calls.append(url)
        return "0001_initial"

    monkeypatch.setattr("storage.migrate.upgrade", upgrade)
    return calls


def test_help_lists_every_command_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])

    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert "--config PATH" in out
    lines = out.splitlines()
    for command in COMMANDS:
        name = " ".join(command.words)
        [line] = [line for line in lines if line.strip().startswith(name + " ")]
        assert command.help in line
    assert {" ".join(c.words) for c in COMMANDS} >= {"run", "db upgrade", "config check"}


def test_without_a_command_argparse_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([])

    assert exit_.value.code == 2
    assert "required: COMMAND" in capsys.readouterr().err


def test_config_check_shows_settings_with_the_token_masked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BONDGENOTEN_TOKEN", TOKEN)
    monkeypatch.delenv("BONDGENOTEN_LANGUAGE")
    Path("config.toml").write_text('language = "en"\ncoordinators = [7]\n', encoding="utf-8")

    status = main(["config", "check"])

    out, err = capsys.readouterr()
    assert status == 0
    assert err == ""
    assert out.startswith("Configuration is valid. The bot would use:\n")
    assert "  config file: config.toml\n" in out
    assert f"  token: 123456789…({len(TOKEN)} chars)  [environment BONDGENOTEN_TOKEN]\n" in out
    assert "  language: en  [config.toml]\n" in out
    assert SECRET_PART not in out


def test_config_check_without_token_is_fine_but_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["config", "check"])

    out = capsys.readouterr().out
    assert status == 0
    assert "  token: (not set)  [default]\n" in out
    assert out.endswith(
        "note: no token set; `bondgenoten run` needs BONDGENOTEN_TOKEN from BotFather\n"
    )


def test_config_option_before_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    Path("bad.toml").write_text(BAD_CONFIG, encoding="utf-8")

    assert main(["--config", "bad.toml", "config", "check"]) == 2
    assert capsys.readouterr().err.splitlines() == BAD_LINES


@pytest.mark.parametrize("command", [c.words for c in COMMANDS], ids=" ".join)
def test_bad_config_stops_every_command_with_one_line_per_problem(
    command: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_runner: list[Settings],
    fake_migrate: list[str],
) -> None:
    Path("bad.toml").write_text(BAD_CONFIG, encoding="utf-8")
    monkeypatch.setenv("BONDGENOTEN_TOKEN", TOKEN)

    status = main([*command, "--config", "bad.toml"])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.splitlines() == BAD_LINES
    assert "Traceback" not in err
    assert fake_runner == [] and fake_migrate == []


def test_missing_config_file_named_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "check", "--config", "nope.toml"]) == 2
    assert capsys.readouterr().err == "error: nope.toml: config file 'nope.toml' not found\n"


def test_run_without_token_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], fake_runner: list[Settings]
) -> None:
    status = main(["run"])

    assert status == 2
    assert capsys.readouterr().err == (
        "error: no bot token: set BONDGENOTEN_TOKEN to the token from BotFather\n"
    )
    assert fake_runner == []


def test_run_starts_the_bot_with_the_loaded_settings(
    monkeypatch: pytest.MonkeyPatch, fake_runner: list[Settings]
) -> None:
    monkeypatch.setenv("BONDGENOTEN_TOKEN", TOKEN)
    Path("bg.toml").write_text("coordinators = [42]\n", encoding="utf-8")

    status = main(["run", "--config", "bg.toml"])

    assert status == 0
    [settings] = fake_runner
    assert settings.token is not None and settings.token.get_secret_value() == TOKEN
    assert settings.coordinators == [42]


def test_db_upgrade_migrates_the_configured_database(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_migrate: list[str],
) -> None:
    monkeypatch.setenv("BONDGENOTEN_DATABASE_URL", "sqlite:///data.db")

    status = main(["db", "upgrade"])

    assert status == 0
    assert fake_migrate == ["sqlite+aiosqlite:///data.db"]
    assert capsys.readouterr().out == "Database is up to date (revision 0001_initial)\n"


def test_db_upgrade_failure_is_one_line_without_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def upgrade(url: str) -> str:
        raise OperationalError("connect", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setattr("storage.migrate.upgrade", upgrade)
    monkeypatch.setenv("BONDGENOTEN_DATABASE_URL", "postgresql://bg:hunter2secret@db/bg")

    status = main(["db", "upgrade"])

    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("error: cannot upgrade the database postgresql+asyncpg://bg:***@db/bg: ")
    assert "connection refused" in err
    assert len(err.splitlines()) == 1
    assert "hunter2secret" not in err


def test_python_dash_m_bot_reports_a_bad_config_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(BAD_CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("BONDGENOTEN_")}

    done = subprocess.run(
        [sys.executable, "-m", "bot", "config", "check", "--config", "bad.toml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == BAD_LINES
    assert "Traceback" not in done.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])

    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"bondgenoten {version('bondgenoten')}\n"


def test_config_check_warns_about_a_token_in_the_file_and_no_coordinators(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Path("config.toml").write_text(f'token = "{TOKEN}"\n', encoding="utf-8")

    status = main(["config", "check"])

    out, err = capsys.readouterr()
    assert status == 0
    assert err.splitlines() == [
        "warning: config.toml: the bot token is in the config file; whoever reads the file "
        "controls the bot: remove it and set BONDGENOTEN_TOKEN in the environment (for a "
        "service: an environment file only root can read)",
        "warning: no coordinators: nobody can set up districts. Send /start to the bot in a "
        "private chat to see your numeric Telegram id, and put it in the config file as "
        "coordinators = [<id>] (or BONDGENOTEN_COORDINATORS)",
    ]
    assert SECRET_PART not in out + err


def test_db_upgrade_of_a_database_newer_than_the_software(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bg.db'}"
    monkeypatch.setenv("BONDGENOTEN_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    asyncio.run(_stamp(url, "f00dfeed9999"))
    capsys.readouterr()

    status = main(["db", "upgrade"])

    err = capsys.readouterr().err
    assert status == 1
    assert err == (
        f"error: cannot upgrade {url}: the database is at revision 'f00dfeed9999', which this "
        "version of Bondgenoten does not know: the database is newer than the software. Run "
        "the newer version again, or restore the backup made before its upgrade\n"
    )


def test_db_upgrade_into_a_missing_folder(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BONDGENOTEN_DATABASE_URL", f"sqlite:///{tmp_path}/nope/bg.db")

    status = main(["db", "upgrade"])

    # capfd: a worker thread's traceback would go to the process's own stderr.
    out, err = capfd.readouterr()
    assert (status, out) == (2, "")
    assert err == (
        f"error: the folder {tmp_path / 'nope'} of the SQLite database does not exist: create "
        "it, or set database_url to a file in a folder that does\n"
    )
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize(
    ("url", "line"),
    [
        (
            "mysql://u@h/db",
            "error: --database unsupported database 'mysql': use "
            "sqlite+aiosqlite:///bondgenoten.db or postgresql+asyncpg://user:pw@host/db",
        ),
        (
            "just some words",
            "error: --database must be a database URL such as "
            "sqlite+aiosqlite:///bondgenoten.db or postgresql+asyncpg://user:pw@host/db",
        ),
        (
            "sqlite:///{tmp}/nope/demo.db",
            "error: --database: the folder {tmp}/nope of the SQLite database does not exist: "
            "create it, or set database_url to a file in a folder that does",
        ),
    ],
)
def test_demo_refuses_a_database_it_cannot_use_in_one_line(
    capfd: pytest.CaptureFixture[str], tmp_path: Path, url: str, line: str
) -> None:
    status = main(["demo", "--database", url.format(tmp=tmp_path)])

    out, err = capfd.readouterr()
    assert (status, out, err) == (2, "", line.format(tmp=tmp_path) + "\n")


def test_demo_refuses_a_database_that_holds_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'used.db'}"
    asyncio.run(upgrade_url(url))
    asyncio.run(_add_district(url))

    status = main(["demo", "--database", url])

    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err == (
        f"error: --database {url} already holds districts or people: the demo needs an empty "
        "database (or none: leave out --database for a temporary one)\n"
    )


def test_an_unexpected_failure_is_one_line_and_the_traceback_only_with_debug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BONDGENOTEN_TOKEN", TOKEN)

    def broken(self: Settings) -> list[str]:
        raise RuntimeError(f"something broke near {TOKEN}\nsecond line")

    monkeypatch.setattr(Settings, "describe", broken)

    assert main(["config", "check"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "error: unexpected failure: something broke near [REDACTED] (run with --debug to see "
        "where)\n"
    )

    assert main(["config", "check", "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.endswith("error: unexpected failure: something broke near [REDACTED]\n")
    assert SECRET_PART not in err


async def _stamp(url: str, revision: str) -> None:
    """Set the database's revision as a newer version of the software would have."""
    from sqlalchemy import text

    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    await engine.dispose()


async def _add_district(url: str) -> None:
    engine = create_engine(url)
    async with make_sessionmaker(engine)() as s:
        s.add(District(name="Noord", name_key="noord", created_at=datetime.now(UTC)))
        await s.commit()
    await engine.dispose()


def test_the_command_line_speaks_the_configured_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BONDGENOTEN_LANGUAGE")
    assert main(["config", "check"]) == 0
    assert capsys.readouterr().out.startswith(
        "De configuratie is in orde. De bot zou dit gebruiken:\n"
    )
    assert main(["run"]) == 2
    assert capsys.readouterr().err == (
        "error: geen bottoken: zet BONDGENOTEN_TOKEN op het token van BotFather\n"
    )
    # Turkish has no command-line texts yet: Dutch, the reference, stands in.
    monkeypatch.setenv("BONDGENOTEN_LANGUAGE", "tr")
    assert main(["run"]) == 2
    assert "geen bottoken" in capsys.readouterr().err
