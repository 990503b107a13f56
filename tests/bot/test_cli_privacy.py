"""`bondgenoten privacy export|erase`: a person's requests by letter, from the command line."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from storage.engine import create_engine, make_sessionmaker
from storage.migrate import upgrade_url
from storage.models import Answer, AuditEntry, District, Membership, Person, Role


@pytest.fixture(autouse=True)
def english(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command line's messages in English (language = "en")."""
    monkeypatch.setenv("BONDGENOTEN_LANGUAGE", "en")


T = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ANN, COR = 5551, 7001


async def _fill(url: str) -> None:
    engine = create_engine(url)
    async with make_sessionmaker(engine)() as s:
        district = District(name="Noord", name_key="noord", created_at=T)
        ann = Person(telegram_user_id=ANN, display_name="Ann Annegarn", created_at=T)
        cor = Person(telegram_user_id=COR, display_name="Cor", is_coordinator=True, created_at=T)
        s.add_all([district, ann, cor])
        await s.flush()
        s.add(Membership(person_id=ann.id, district_id=district.id, role=Role.KEY_FIGURE,
                         joined_at=T, agreement_version="2026-11-v1"))  # fmt: skip
        s.add(AuditEntry(at=T, actor_telegram_id=ANN, action="invitation.accepted",
                         subject="Noord", details={}))  # fmt: skip
        await s.commit()
    await engine.dispose()


async def _rows(url: str, query: object) -> list[object]:
    engine = create_engine(url)
    async with make_sessionmaker(engine)() as s:
        found = list(await s.scalars(query))  # type: ignore[call-overload]
    await engine.dispose()
    return found


@pytest.fixture
def database(clean_env: Path) -> str:
    """A migrated SQLite database with Ann of Noord and a coordinator; config.toml on it."""
    url = f"sqlite+aiosqlite:///{clean_env / 'bg.db'}"
    asyncio.run(upgrade_url(url))
    asyncio.run(_fill(url))
    Path("config.toml").write_text(f'database_url = "{url}"\n', encoding="utf-8")
    return url


def test_export_writes_json_and_text_and_is_audited(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("out").mkdir()
    assert main(["privacy", "export", "--telegram-id", str(ANN), "--output", "out"]) == 0
    out = capsys.readouterr().out
    [json_file] = Path("out").glob("*.json")
    [text_file] = Path("out").glob("*.txt")
    assert str(json_file) in out and str(text_file) in out
    copy = json.loads(json_file.read_text("utf-8"))
    assert copy["people"][0]["display_name"] == "Ann Annegarn"
    assert copy["memberships"][0]["agreement_version"] == "2026-11-v1"
    # Ann chose no language, so her copy is in the deployment's (English in these tests).
    assert "Memberships, roles and agreement" in text_file.read_text("utf-8")
    entries = asyncio.run(_rows(database, select(AuditEntry.details).where(
        AuditEntry.action == "privacy.copy")))  # fmt: skip
    assert entries == [{"via": "cli"}]
    # The command line is not rate-limited: a coordinator may need it twice.
    assert main(["privacy", "export", "--telegram-id", str(ANN), "--output", "out"]) == 0


def test_export_of_someone_unknown_and_usage_errors(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["privacy", "export", "--telegram-id", "12345"]) == 0
    assert capsys.readouterr().out == "Nothing is stored about Telegram id 12345.\n"
    assert main(["privacy", "export"]) == 2
    assert "--telegram-id N is required" in capsys.readouterr().err
    assert main(["privacy", "export", "--telegram-id", "1", "--output", "nope"]) == 2


def test_erase_asks_first_and_then_erases(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("nee\n"))
    assert main(["privacy", "erase", "--telegram-id", str(ANN)]) == 1
    assert capsys.readouterr().out.endswith("Nothing was erased.\n")
    assert asyncio.run(_rows(database, select(Person.display_name))) == ["Ann Annegarn", "Cor"]

    monkeypatch.setattr("sys.stdin", io.StringIO("erase\n"))
    assert main(["privacy", "erase", "--telegram-id", str(ANN)]) == 0
    out = capsys.readouterr().out
    assert f"Erased Telegram id {ANN}" in out
    # No token in this config: the coordinator could not be told, and the command says so.
    assert "1 chief(s) or coordinator(s) were not told" in out
    assert asyncio.run(_rows(database, select(Person.display_name))) == ["Cor"]
    assert asyncio.run(_rows(database, select(Answer))) == []
    entries = asyncio.run(_rows(database, select(AuditEntry)))
    assert [e.action for e in entries] == ["invitation.accepted", "privacy.erased"]  # type: ignore[attr-defined]
    assert all(e.actor_telegram_id is None for e in entries)  # type: ignore[attr-defined]
    raw = b"".join(p.read_bytes() for p in Path().glob("bg.db*"))
    assert b"Annegarn" not in raw

    assert main(["privacy", "erase", "--telegram-id", str(ANN), "--yes"]) == 0
    assert "nothing to erase" in capsys.readouterr().out


async def _invitations(url: str) -> None:
    """One invitation that expired long ago, one still open."""
    from datetime import timedelta

    from storage.models import Invitation

    now = datetime.now(UTC)
    engine = create_engine(url)
    async with make_sessionmaker(engine)() as s:
        district = await s.scalar(select(District))
        assert district is not None
        ends = (("old", now - timedelta(days=31)), ("new", now + timedelta(days=7)))
        for name, expires in ends:
            made = expires - timedelta(days=7)
            s.add(Invitation(token_hash=name * 8, district_id=district.id, role=Role.KEY_FIGURE,
                             created_at=made, expires_at=expires))  # fmt: skip
        await s.commit()
    await engine.dispose()


def test_retention_dry_run_lists_and_the_run_removes(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage.models import Invitation

    asyncio.run(_invitations(database))
    assert main(["retention", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Would remove (dry run, nothing changed):")
    assert "invitations                 1   (kept 30 days)" in out
    assert len(asyncio.run(_rows(database, select(Invitation.id)))) == 2

    assert main(["retention"]) == 0
    assert capsys.readouterr().out.startswith("Removed:")
    assert asyncio.run(_rows(database, select(Invitation.token_hash))) == ["new" * 8]
    logged = asyncio.run(_rows(database, select(AuditEntry.details).where(
        AuditEntry.action == "retention.removed")))  # fmt: skip
    assert [d["invitations"] for d in logged] == [1]  # type: ignore[index]
    assert main(["retention"]) == 0
    assert "invitations                 0" in capsys.readouterr().out


def test_erase_asks_in_the_configured_language(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BONDGENOTEN_LANGUAGE")
    # In Dutch the word to type is Dutch: the English one erases nothing.
    monkeypatch.setattr("sys.stdin", io.StringIO("erase\n"))
    assert main(["privacy", "erase", "--telegram-id", str(ANN)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"Telegram-id {ANN}: lid van ")
    assert "Typ 'wissen' om deze persoon te wissen: " in out
    assert out.endswith("Er is niets gewist.\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("wissen\n"))
    assert main(["privacy", "erase", "--telegram-id", str(ANN)]) == 0
    assert f"Telegram-id {ANN} gewist (" in capsys.readouterr().out
    assert asyncio.run(_rows(database, select(Person.display_name))) == ["Cor"]
