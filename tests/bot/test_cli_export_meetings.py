"""`bondgenoten export --meetings`: every meeting with its counts, no personal data."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from test_cli_export import config, rows, run

from storage.engine import create_engine, make_sessionmaker
from storage.migrate import upgrade_url
from storage.models import (
    AuditEntry,
    DeliveryStatus,
    DietaryNeed,
    District,
    Meeting,
    MeetingAction,
    MeetingDelivery,
    MeetingStatus,
    Person,
    Rsvp,
    RsvpAnswer,
)


@pytest.fixture(autouse=True)
def english(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the command line's messages in English (language = "en")."""
    monkeypatch.setenv("BONDGENOTEN_LANGUAGE", "en")


T = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)


async def _fill(url: str) -> None:
    engine = create_engine(url)
    async with make_sessionmaker(engine)() as s:
        district = District(name="Noord", name_key="noord", created_at=T)
        ann = Person(telegram_user_id=5551, display_name="Ann", created_at=T)
        bo = Person(telegram_user_id=5552, display_name="Bo", created_at=T)
        meeting = Meeting(starts_at=T, place="Politiebureau Noord", meal="Soep",
                          rsvp_deadline=T, status=MeetingStatus.PLANNED, created_at=T)  # fmt: skip
        s.add_all([district, ann, bo, meeting])
        await s.flush()
        s.add(MeetingDelivery(meeting_id=meeting.id, district_id=district.id,
                              status=DeliveryStatus.SENT, updated_at=T))  # fmt: skip
        for person, answer in ((ann, RsvpAnswer.YES), (bo, RsvpAnswer.MAYBE)):
            s.add(Rsvp(meeting_id=meeting.id, person_id=person.id, district_id=district.id,
                       answer=answer, first_answered_at=T, answered_at=T))  # fmt: skip
        s.add(DietaryNeed(meeting_id=meeting.id, person_id=ann.id, needs=["halal"],
                          consented_at=T, updated_at=T))  # fmt: skip
        s.add(MeetingAction(meeting_id=meeting.id, district_id=district.id, description="Avond",
                            owner_person_id=ann.id, due_at=T, created_at=T))  # fmt: skip
        await s.commit()
    await engine.dispose()


async def _audited(url: str) -> list[str]:
    engine = create_engine(url)
    async with make_sessionmaker(engine)() as s:
        found = list(await s.scalars(select(AuditEntry.action)))
    await engine.dispose()
    return found


@pytest.fixture
def database(clean_env: Path) -> str:
    """A migrated SQLite database with one meeting, and a config.toml pointing at it."""
    url = f"sqlite+aiosqlite:///{clean_env / 'bg.db'}"
    asyncio.run(upgrade_url(url))
    asyncio.run(_fill(url))
    config(url, None)
    return url


def test_exports_meetings_with_counts_and_no_names(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "--meetings", "--format", "csv", "--output", "m.csv")
    assert (status, err) == (0, [])
    assert out == "Exported 1 meetings (csv) to m.csv\n"
    [row] = rows(Path("m.csv"))
    assert (row["districts"], row["yes"], row["maybe"], row["headcount"]) == (
        "Noord",
        "1",
        "1",
        "2",
    )
    assert (row["dietary_halal"], row["dietary_vegan"]) == ("1", "0")
    assert (row["actions_open"], row["actions_closed"], row["actions"]) == ("1", "0", "Avond")
    text = Path("m.csv").read_text(encoding="utf-8-sig")
    assert "Ann" not in text and "5551" not in text
    assert asyncio.run(_audited(database)) == ["meeting.export"]


def test_meetings_only_as_csv_and_without_filters(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "--meetings", "--format", "xlsx", "--output", "m.xlsx")
    assert (status, err) == (2, ["error: --meetings is exported as CSV only: use --format csv"])
    status, _, err = run(capsys, "--meetings", "--format", "csv", "--output", "m.csv", "--names")
    assert (status, err) == (2, ["error: --meetings takes only --format csv and --output FILE"])
