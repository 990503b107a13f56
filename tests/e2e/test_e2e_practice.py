"""Practice check-ins ("oefening", issue 17) end to end, as a chief and a coordinator do it.

A chief toggles 'Oefening' on the wizard's confirm step; the group message, the answer
confirmation, the delivery report and the summary carry the mark; the answers are stored but
/trend, /overzicht and the export are the same as before; the coordinator wipes the practice
data from the summary's button, and the database holds none of its answers afterwards.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount
from sandbox.people import Person
from services.checkins import ALL
from services.checkins.outcomes import CheckInStarted
from services.exports import Exported, ExportRequest
from storage.models import Answer, AuditEntry, BaselineAlert, CheckIn, Delivery, Escalation
from tests.e2e.e2e_world import (
    Network,
    ShiftedClock,
    ask,
    build_network,
    checkin_messages,
    find_in,
    next_in,
    services_of,
    tap,
)
from tests.e2e.idle import idle

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
MARK = "🧪 Oefening — telt niet mee"
TIMEOUT = 15.0


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock(START)


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, on the test's clock, refreshing tallies often."""
    application = build_application(make_settings(), clock=clock, tally_interval=0.2)
    async with running(application, poll_timeout=1):
        services_of(application).pseudonym_key = b"e2e-practice-pseudonym-secret-0123456789"
        yield application


async def real_checkin(app: AnyApp, sandbox: Sandbox, bot: BotAccount, net: Network) -> int:
    """A real check-in to every district, answered by both key figures and closed."""
    services = services_of(app)
    actor = services.actor(net.coordinator.id, "Cor Dinator")
    started = await services.checkins.start.start_checkin(
        actor, "Onrust na de wedstrijd", ALL, timedelta(hours=6)
    )
    assert isinstance(started, CheckInStarted)
    await services.checkins.broadcast.broadcast(started.checkin_id)
    group = net["Overvecht"].group
    [message] = checkin_messages(sandbox, group, bot)
    for person, level in zip(net["Overvecht"].key_figures, ("Onrust", "Rustig"), strict=True):
        await person.press(message, text=level, timeout=TIMEOUT)
    await services.checkins.closing.close_checkin(started.checkin_id, actor)
    return started.checkin_id


async def exported(app: AnyApp, path: Path) -> list[dict[str, str]]:
    outcome = await services_of(app).exports.export(None, ExportRequest("csv"), path)
    assert isinstance(outcome, Exported)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


async def figures(
    app: AnyApp, sandbox: Sandbox, bot: BotAccount, coordinator: Person, path: Path
) -> tuple[object, ...]:
    """What the coordinator reads in /trend and /overzicht, and the answers export."""
    trend = await ask(sandbox, coordinator, bot, "/trend", lambda m: bool(m.photo))
    assert trend.photo
    chart = sandbox.file(trend.photo[-1].file_id).data
    overview = (await ask(sandbox, coordinator, bot, "/overzicht")).text or ""
    # Its first line names the start of the contact window, which moves with the clock.
    return trend.caption, chart, overview.split("\n", 2)[2], await exported(app, path)


async def rows(app: AnyApp, model: type, checkin_id: int) -> int:
    async with services_of(app).uow() as uow:
        found = await uow.session.scalar(
            select(func.count()).select_from(model).where(model.checkin_id == checkin_id)  # type: ignore[attr-defined]
        )
    return int(found or 0)


async def test_a_practice_checkin_is_marked_counts_nowhere_and_is_wiped(
    app: AnyApp,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    tmp_path: Path,
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2})
    chief = net["Overvecht"].chief
    assert chief is not None
    fatima, mehmet = net["Overvecht"].key_figures
    group = net["Overvecht"].group
    real_id = await real_checkin(app, sandbox, tg_bot, net)
    await find_in(sandbox, coordinator.chat_with(tg_bot), f"📊 Samenvatting peiling #{real_id}")
    before = await figures(app, sandbox, tg_bot, coordinator, tmp_path / "before.csv")

    # The chief toggles 'Oefening' on the confirm step: the preview shows the mark at once.
    wizard = await ask(
        sandbox,
        chief,
        tg_bot,
        "/peiling Kennismaking met de bot",
        lambda m: "Hoe lang blijft" in (m.text or ""),
    )
    await tap(sandbox, chief, wizard, "2 uur", "Mogen de bondgenoten")
    await tap(sandbox, chief, wizard, "Live tonen", "Voorbeeld")
    assert MARK not in (wizard.text or "")
    await tap(sandbox, chief, wizard, "🧪 Oefening? Tik om als oefening te versturen", MARK)
    assert "🧪 Oefening: aan — telt niet mee (tik om uit te zetten)" in wizard.button_texts
    await tap(sandbox, chief, wizard, "✅ Versturen", "verstuurd naar")
    practice_id = real_id + 1
    assert (wizard.text or "").startswith(f"✅ Peiling #{practice_id} verstuurd naar 1 wijk")
    assert MARK in (wizard.text or "")

    message = await next_in(sandbox, group, "📣 Peiling — Kennismaking met de bot")
    assert (message.text or "").split("\n")[1] == MARK
    report = await find_in(
        sandbox, chief.chat_with(tg_bot), f"📬 Verzendrapport peiling #{practice_id} "
    )
    assert MARK in (report.text or "")

    # A key figure answers: the confirmation says it does not count. Acute alerts nobody.
    answer = await fatima.press(message, text="Acuut", timeout=TIMEOUT)
    assert (answer.text or "").startswith(f"{MARK}\nGenoteerd: Acuut")
    await mehmet.press(message, text="Spanning loopt op", timeout=TIMEOUT)
    await idle(app, sandbox, tg_bot)
    assert await rows(app, Answer, practice_id) == 2  # stored …
    assert await rows(app, Escalation, practice_id) == 0  # … but no alert
    assert await rows(app, BaselineAlert, practice_id) == 0
    assert not [
        t for t in (m.text or "" for m in sandbox.sent(chief.chat_with(tg_bot))) if "🚨" in t
    ]

    # Closing: the summary is marked and offers to wipe the practice data.
    closed = await ask(
        sandbox,
        chief,
        tg_bot,
        f"/sluit {practice_id}",
        lambda m: "gesloten" in (m.text or ""),
    )
    assert closed.text
    summary = await find_in(
        sandbox, coordinator.chat_with(tg_bot), f"📊 Samenvatting peiling #{practice_id}"
    )
    assert (summary.text or "").split("\n")[1] == MARK
    assert summary.button_texts == ["🗑 Oefendata wissen"]
    # The chief's copy: marked, with neither the feedback button nor the wipe button.
    theirs = await find_in(
        sandbox, chief.chat_with(tg_bot), f"📊 Samenvatting peiling #{practice_id}"
    )
    assert (theirs.text or "").split("\n")[1] == MARK
    assert theirs.button_texts == []
    await idle(app, sandbox, tg_bot)

    after = await figures(app, sandbox, tg_bot, coordinator, tmp_path / "after.csv")
    assert after == before

    # Asked for in the chat, the export brings the practice answers along, marked.
    odd = await ask(sandbox, coordinator, tg_bot, "/export alles")
    assert odd.text == (
        "/export kent alleen de toevoeging 'oefening': dan komen oefenpeilingen mee, gemarkeerd."
    )
    export = await ask(
        sandbox, coordinator, tg_bot, "/export oefening", lambda m: "📤 Export" in (m.text or "")
    )
    assert "🧪 Met oefenpeilingen (gemarkeerd in de kolom practice)" in (export.text or "")
    await tap(sandbox, coordinator, export, "Antwoorden", "Over welke periode?")
    await tap(sandbox, coordinator, export, "Alles", "In welk formaat?")
    await tap(sandbox, coordinator, export, "CSV", "Met pseudoniemen, of met namen")
    await tap(sandbox, coordinator, export, "Met pseudoniemen")
    document = await sandbox.next_message(
        coordinator.chat_with(tg_bot), predicate=lambda m: m.document is not None, timeout=TIMEOUT
    )
    assert document.document is not None
    data = sandbox.file(document.document.file_id).data.decode("utf-8-sig")
    # A chat export has its headers in the reader's language (Dutch here).
    marked = [(r["Peiling"], r["Oefening"]) for r in csv.DictReader(data.splitlines())]
    assert sorted(marked) == sorted(
        [(str(real_id), "false")] * 2 + [(str(practice_id), "true")] * 2
    )

    # Only a coordinator wipes, and only practice.
    refused = await ask(sandbox, chief, tg_bot, f"/oefening wis {practice_id}")
    assert refused.text == "Alleen coördinatoren kunnen oefeningen wissen."
    real = await ask(sandbox, coordinator, tg_bot, f"/oefening wis {real_id}")
    assert real.text == (
        f"Peiling #{real_id} is geen oefening: een echte peiling telt mee en kan zo niet "
        "gewist worden."
    )
    await tap(sandbox, coordinator, summary, "🗑 Oefendata wissen")
    question = await next_in(sandbox, coordinator.chat_with(tg_bot), f"Oefening #{practice_id}")
    assert question.text == (
        f"Oefening #{practice_id} (Kennismaking met de bot) wissen?\n"
        "Weg gaan: de antwoorden (2), de vervolgantwoorden (0) en de berichten aan de wijken "
        "(1). Dit kan niet ongedaan worden gemaakt."
    )
    assert question.button_texts == ["🗑 Ja, alles wissen", "Niet wissen"]
    await tap(sandbox, coordinator, question, "🗑 Ja, alles wissen", "is gewist —")
    assert question.text == (
        f"🗑 Oefening #{practice_id} is gewist — antwoorden: 2, vervolgantwoorden: 0, wijken: 1."
    )
    assert question.button_texts == []

    assert await rows(app, Answer, practice_id) == 0
    assert await rows(app, Delivery, practice_id) == 0
    assert await rows(app, Answer, real_id) == 2
    async with services_of(app).uow() as uow:
        assert await uow.session.get(CheckIn, practice_id) is None
        [entry] = await uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "practice.wiped")
        )
        assert entry.subject == f"#{practice_id}"
        assert "Kennismaking" not in str(entry.details)
    assert await figures(app, sandbox, tg_bot, coordinator, tmp_path / "wiped.csv") == before
