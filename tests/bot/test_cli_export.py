"""`bondgenoten export`: the file it writes, and one clear line for each mistake."""

from __future__ import annotations

import asyncio
import csv
import errno
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from bot.cli import main
from services.exports import writers
from storage.engine import create_engine, make_sessionmaker
from storage.migrate import upgrade_url
from storage.models import (
    Answer,
    CheckIn,
    CheckInStatus,
    Delivery,
    DeliveryStatus,
    District,
    Event,
    Membership,
    Person,
    Role,
)


@pytest.fixture(autouse=True)
def english(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command line's messages in English (language = "en")."""
    monkeypatch.setenv("BONDGENOTEN_LANGUAGE", "en")


T = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 in Amsterdam, just before clocks go forward
KEY = "cli-export-pseudonym-key-5f1c9e"


async def _fill(url: str) -> None:
    engine = create_engine(url)
    async with make_sessionmaker(engine)() as s:
        district = District(name="Noord", name_key="noord", created_at=T)
        event = Event(description="Brand in de moskee", created_at=T)
        ann = Person(telegram_user_id=5551, display_name="Ann", created_at=T)
        bo = Person(telegram_user_id=5552, display_name="Bo", created_at=T)
        s.add_all([district, event, ann, bo])
        await s.flush()
        checkin = CheckIn(event_id=event.id, status=CheckInStatus.OPEN, opened_at=T, closes_at=T)
        s.add(checkin)
        await s.flush()
        s.add(Delivery(checkin_id=checkin.id, district_id=district.id,
                       status=DeliveryStatus.SENT, updated_at=T))  # fmt: skip
        for person, code, minutes in [(ann, 3, 0), (bo, 1, 60)]:
            s.add(Membership(person_id=person.id, district_id=district.id,
                             role=Role.KEY_FIGURE, joined_at=T))  # fmt: skip
            when = T + timedelta(minutes=minutes)
            s.add(Answer(checkin_id=checkin.id, person_id=person.id, district_id=district.id,
                         code=code, first_answered_at=when, answered_at=when))  # fmt: skip
        await s.commit()
    await engine.dispose()


@pytest.fixture
def database(clean_env: Path) -> str:
    """A migrated SQLite database with two answers, and a config.toml pointing at it."""
    url = f"sqlite+aiosqlite:///{clean_env / 'bg.db'}"
    asyncio.run(upgrade_url(url))
    asyncio.run(_fill(url))
    config(url, KEY)
    return url


def config(url: str, key: str | None) -> None:
    """Write ./config.toml with the database and, if given, the pseudonym key."""
    text = f'database_url = "{url}"\n'
    if key is not None:
        text += f'[privacy]\npseudonym_key = "{key}"\n'
    Path("config.toml").write_text(text, encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, list[str]]:
    """Run `bondgenoten export …`; return the status, stdout and the lines of stderr."""
    status = main(["export", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err.splitlines()


def rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_exports_answers_and_says_how_many_where(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "--format", "csv", "--output", "answers.csv")

    target = Path("answers.csv").absolute()
    assert (status, err) == (0, [])
    assert out == f"Exported 2 rows (answers, csv) to {target}\n"
    found = rows(target)
    # The labels are in the configured language (English here), the codes the same in all.
    assert [(r["district"], r["level_code"], r["level_label"]) for r in found] == [
        ("Noord", "3", "Unrest"),
        ("Noord", "1", "Calm"),
    ]
    assert found[0]["answered_at"] == "2026-03-29T01:30:00+01:00"
    assert found[1]["answered_at"] == "2026-03-29T03:30:00+02:00"
    assert "display_name" not in found[0] and found[0]["person"].startswith("p-")
    assert [p.name for p in Path().iterdir() if p.name.endswith(".part")] == []


def test_names_summaries_audit_and_formats(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--format", "jsonl", "--output", "n.jsonl", "--names")[0] == 0
    named = [json.loads(line) for line in Path("n.jsonl").read_text("utf-8").splitlines()]
    assert [(r["display_name"], r["telegram_id"]) for r in named] == [("Ann", 5551), ("Bo", 5552)]

    args = ["--format", "xlsx", "--output", "s.xlsx", "--summaries", "--min-respondents", "3"]
    assert run(capsys, *args)[0] == 0
    book = load_workbook("s.xlsx", read_only=True)
    [head, row] = [list(r) for r in book["samenvattingen"].iter_rows(values_only=True)]
    book.close()
    assert (row[head.index("responses")], row[head.index("suppressed")]) == (None, True)

    # --min-respondents without K takes export.min_respondents from the config (default 5).
    args = ["--format", "csv", "--output", "k.csv", "--summaries", "--min-respondents"]
    assert run(capsys, *args)[0] == 0
    assert rows(Path("k.csv"))[0]["suppressed"] == "true"
    # Without the option the configured k applies all the same: 2 respondents < 5.
    args = ["--format", "csv", "--output", "d.csv", "--summaries"]
    assert run(capsys, *args)[0] == 0
    assert rows(Path("d.csv"))[0]["suppressed"] == "true"
    assert rows(Path("d.csv"))[0]["responses"] == ""

    status, out, _ = run(capsys, "--format", "csv", "--output", "audit.csv", "--audit")
    assert status == 0 and out.startswith("Exported 4 rows (audit, csv)")
    logged = rows(Path("audit.csv"))
    assert [r["action"] for r in logged] == ["export.answers"] + ["export.summaries"] * 3
    assert {(r["subject"], r["actor_telegram_id"]) for r in logged} == {("cli", "")}
    assert json.loads(logged[0]["details"])["names"] is True


def test_filters_by_district_and_local_days(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--district", "noord", "--since", "2026-03-29", "--until", "2026-03-29"]
    status, _, _ = run(capsys, "--format", "csv", "--output", "a.csv", *args)

    assert status == 0 and len(rows(Path("a.csv"))) == 2
    assert run(capsys, "--format", "csv", "--output", "b.csv", "--until", "2026-03-28")[0] == 0
    assert rows(Path("b.csv")) == []


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--district", "Nord"], "error: unknown district 'Nord' (did you mean 'Noord'?)"),
        (["--district", "Zzz"], "error: unknown district 'Zzz' (no district has a similar name)"),
        (["--since", "2026-02-30"], "error: --since '2026-02-30' is not a date: use YYYY-MM-DD"),
        (["--until", "29-03-2026"], "error: --until '29-03-2026' is not a date: use YYYY-MM-DD"),
        (
            ["--since", "2026-04-02", "--until", "2026-04-01"],
            "error: --since 2026-04-02 is after --until 2026-04-01",
        ),
        (
            ["--min-respondents", "3"],
            "error: --min-respondents needs --summaries and a K of at least 1",
        ),
        (["--audit", "--names"], "error: --district and --names do not apply to --audit"),
        (["--audit", "--practice"], "error: --practice does not apply to --audit"),
    ],
)
def test_a_mistake_gets_one_line_and_status_2(
    database: str, capsys: pytest.CaptureFixture[str], args: list[str], line: str
) -> None:
    status, out, err = run(capsys, "--format", "csv", "--output", "a.csv", *args)

    assert (status, out, err) == (2, "", [line])
    assert not Path("a.csv").exists()


def test_format_and_output_are_required(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    line = "error: --format csv|xlsx|jsonl and --output FILE are required"

    assert run(capsys, "--output", "a.csv") == (2, "", [line])
    assert run(capsys, "--format", "csv") == (2, "", [line])


def test_an_unwritable_path_gets_one_line(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = Path("nope").absolute()
    status, _, err = run(capsys, "--format", "csv", "--output", "nope/a.csv")
    assert (status, err) == (
        2,
        [f"error: cannot write {missing / 'a.csv'}: directory {missing} does not exist"],
    )

    Path("dir").mkdir()
    status, _, err = run(capsys, "--format", "xlsx", "--output", "dir")
    assert (status, err) == (2, [f"error: cannot write {Path('dir').absolute()}: is a directory"])


def test_a_directory_without_write_permission_gets_one_line(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    # Root may write anywhere, so the refusal is simulated where the file is made.
    monkeypatch.setattr(tempfile, "mkstemp", refused)
    status, _, err = run(capsys, "--format", "csv", "--output", "a.csv")

    assert (status, err) == (
        2,
        [f"error: cannot write {Path('a.csv').absolute()}: Permission denied"],
    )


def test_without_a_pseudonym_key_the_admin_is_told_what_to_set(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config(database, None)

    status, _, err = run(capsys, "--format", "csv", "--output", "a.csv")

    assert status == 2 and len(err) == 1
    assert err[0].startswith("error: no pseudonym key: set privacy.pseudonym_key")
    assert not Path("a.csv").exists()


def test_a_full_disk_leaves_no_half_file(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(self: Any, rows: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writers.JsonLinesWriter, "write", full)
    status, _, err = run(capsys, "--format", "jsonl", "--output", "a.jsonl")

    target = Path("a.jsonl").absolute()
    assert (status, err) == (
        1,
        [f"error: export to {target} failed, no file was left: No space left on device"],
    )
    assert sorted(p.name for p in Path().iterdir()) == ["bg.db", "config.toml"]


def test_a_missing_sqlite_file_is_named_and_not_created(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = clean_env / "empty.db"
    config(f"sqlite+aiosqlite:///{missing}", KEY)

    status, out, err = run(capsys, "--format", "csv", "--output", "a.csv")

    assert (status, out, len(err)) == (2, "", 1)
    assert err[0].startswith(f"error: there is no database at {missing}: check database_url")
    assert not missing.exists() and not Path("a.csv").exists()


def test_a_sqlite_file_in_a_missing_folder_gets_one_line_and_no_thread_traceback(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config(f"sqlite+aiosqlite:///{clean_env / 'nope' / 'bg.db'}", KEY)

    status, _, err = run(capsys, "--format", "csv", "--output", "a.csv")

    assert status == 2
    assert err == [
        f"error: the folder {clean_env / 'nope'} of the SQLite database does not exist: "
        "create it, or set database_url to a file in a folder that does"
    ]


def test_a_database_without_tables_says_to_upgrade(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (clean_env / "empty.db").touch()
    config(f"sqlite+aiosqlite:///{clean_env / 'empty.db'}", KEY)

    status, _, err = run(capsys, "--format", "csv", "--output", "a.csv")

    assert (status, len(err)) == (2, 1)
    assert err[0].startswith("error: the database is not set up for this version (revision none")
    assert err[0].endswith("run `bondgenoten db upgrade` first")


def test_an_existing_file_is_kept_unless_forced(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("a.csv").write_text("keep me\n", encoding="utf-8")

    status, out, err = run(capsys, "--format", "csv", "--output", "a.csv")
    assert (status, out) == (2, "")
    assert err == ["error: a.csv already exists: add --force to replace it"]
    assert Path("a.csv").read_text(encoding="utf-8") == "keep me\n"

    status, out, err = run(capsys, "--format", "csv", "--output", "a.csv", "--force")
    assert (status, err) == (0, [])
    assert len(rows(Path("a.csv"))) == 2


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_dash_writes_to_standard_output(
    database: str, capsysbinary: pytest.CaptureFixture[bytes], fmt: str
) -> None:
    status = main(["export", "--format", fmt, "--output", "-"])

    out, err = capsysbinary.readouterr()
    assert status == 0
    assert err.decode() == f"Exported 2 rows (answers, {fmt}) to standard output\n"
    text = out.decode("utf-8-sig")
    if fmt == "csv":
        assert len(list(csv.DictReader(text.splitlines()))) == 2
    else:
        assert len([json.loads(line) for line in text.splitlines()]) == 2
    assert sorted(p.name for p in Path().iterdir()) == ["bg.db", "config.toml"]


def test_dash_refuses_xlsx(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--format", "xlsx", "--output", "-")

    assert (status, out) == (2, "")
    assert err == ["error: --output - (standard output) takes csv or jsonl, not xlsx"]
    assert not Path("-").exists()


def test_a_database_newer_than_the_software_says_so(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_stamp(database, "f00dfeed9999"))

    status, _, err = run(capsys, "--format", "csv", "--output", "a.csv")

    assert (status, len(err)) == (1, 1)
    assert "revision 'f00dfeed9999', which this version of Bondgenoten does not know" in err[0]
    assert "the database is newer than the software" in err[0]


async def _stamp(url: str, revision: str) -> None:
    """Set the database's revision as a newer version of the software would have."""
    from sqlalchemy import text

    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    await engine.dispose()


@pytest.mark.parametrize(
    ("language", "labels"),
    [("nl", ["Onrust", "Rustig"]), ("tr", ["Huzursuzluk", "Sakin"]), ("ar", ["قلق", "هادئ"])],
)
def test_language_gives_the_scale_labels_in_that_language(
    database: str, capsys: pytest.CaptureFixture[str], language: str, labels: list[str]
) -> None:
    status, _, err = run(
        capsys, "--format", "csv", "--output", "a.csv", "--language", language.upper()
    )

    assert (status, err) == (0, [])
    assert [r["level_label"] for r in rows(Path("a.csv"))] == labels


def test_an_unknown_language_gets_one_line_in_the_configured_language(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("--format", "csv", "--output", "a.csv", "--language", "fr")
    assert run(capsys, *args) == (
        2,
        "",
        ["error: --language 'fr' is not available; choose nl, en, ar, tr"],
    )
    monkeypatch.delenv("BONDGENOTEN_LANGUAGE")
    assert run(capsys, *args) == (
        2,
        "",
        ["error: --language 'fr' bestaat niet; kies uit nl, en, ar, tr"],
    )
    assert not Path("a.csv").exists()


def test_practice_is_left_out_unless_asked_for_then_marked(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def make_practice() -> None:
        engine = create_engine(database)
        async with make_sessionmaker(engine)() as s:
            await s.execute(update(CheckIn).values(practice=True))
            await s.commit()
        await engine.dispose()

    asyncio.run(make_practice())
    status, out, _ = run(capsys, "--format", "csv", "--output", "plain.csv")
    assert status == 0 and out.startswith("Exported 0 rows (answers, csv)")
    assert rows(Path("plain.csv")) == []
    status, out, _ = run(capsys, "--format", "csv", "--output", "with.csv", "--practice")
    assert status == 0 and out.startswith("Exported 2 rows (answers, csv)")
    assert [r["practice"] for r in rows(Path("with.csv"))] == ["true", "true"]
    status, _, _ = run(capsys, "--format", "csv", "--output", "s.csv", "--summaries", "--practice")
    assert status == 0 and [r["practice"] for r in rows(Path("s.csv"))] == ["true"]
