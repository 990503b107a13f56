"""Exports, trends, the overview and the audit log end to end, in the private chat.

The network is built as people build it (tests/e2e/e2e_world.py); check-ins are started,
broadcast and closed through the services, and answered by pressing the real buttons in the
groups. /export then runs through real button presses, and the file that arrives as a document
is read back with the csv and json modules.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Message
from sandbox.people import Person, wait_answer
from services.checkins import ALL
from services.checkins.outcomes import CheckInStarted
from services.container import Services
from services.exports.pseudonyms import Pseudonyms
from storage.models import AuditEntry
from tests.e2e.e2e_world import (
    Network,
    ShiftedClock,
    ask,
    begin,
    build_network,
    checkin_messages,
    services_of,
    tap,
)

KEY = "e2e-insight-pseudonym-secret-0123456789"
HEAD = "📤 Export van het sentimentlog"
TIMEOUT = 15.0
DENIED = "Dat kan ik niet voor je doen: daarvoor heb je niet de juiste rol."


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def app(
    make_settings: Callable[..., Settings], clock: ShiftedClock
) -> AsyncIterator[AnyApp]:
    """The real bot on the sandbox, with its database migrated."""
    from storage.migrate import upgrade_url

    settings = make_settings()
    await upgrade_url(settings.database_url)
    async with running(build_application(settings, clock=clock), poll_timeout=1) as application:
        yield application


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the bot makes its temporary export directories during the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def leftovers(folder: Path) -> list[Path]:
    """Whatever an export left behind in the temporary directory."""
    return list(folder.iterdir())


@dataclass
class World:
    app: AnyApp
    sandbox: Sandbox
    bot: BotAccount
    net: Network

    @property
    def services(self) -> Services:
        return services_of(self.app)

    @property
    def coordinator(self) -> Person:
        return self.net.coordinator

    async def checkin(self, event: str, answers: dict[Person, str], close: bool = True) -> int:
        """Start a check-in to all districts as the coordinator; members press; close it."""
        actor = self.services.actor(self.coordinator.id, "Cor Dinator")
        checkins = self.services.checkins
        started = await checkins.start.start_checkin(actor, event, ALL, timedelta(hours=6))
        assert isinstance(started, CheckInStarted)
        await checkins.broadcast.broadcast(started.checkin_id)
        for person, level in answers.items():
            group = next(d.group for d in self.net.districts.values() if person in d.key_figures)
            [message] = [
                m for m in checkin_messages(self.sandbox, group, self.bot) if event in str(m.text)
            ]
            await person.press(message, text=level, timeout=TIMEOUT)
        if close:
            await checkins.closing.close_checkin(started.checkin_id, actor)
        return started.checkin_id


@pytest.fixture
async def world(app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person) -> World:
    """Overvecht (Jan de Vries; Fatima, Mehmet) and Kanaleneiland (Petra Bakker; Sanne), one
    closed check-in answered in both, one open in both; a pseudonym key configured."""
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 2, "Kanaleneiland": 1})
    # bot/app.py hands settings.privacy.pseudonym_key to the services; set it here directly
    # so this test does not depend on how that wiring reads the config.
    services_of(app).pseudonym_key = KEY.encode()
    built = World(app, sandbox, tg_bot, net)
    fatima, mehmet = net["Overvecht"].key_figures
    [sanne] = net["Kanaleneiland"].key_figures
    await built.checkin(
        "Aanslag op moskee",
        {fatima: "Onrust", mehmet: "Rustig", sanne: "Spanning loopt op"},
    )
    await built.checkin("Rellen na de wedstrijd", {fatima: "Onderwerp van gesprek"}, close=False)
    return built


def chief(world: World, district: str) -> Person:
    found = world.net[district].chief
    assert found is not None
    return found


async def document(sandbox: Sandbox, person: Person, bot: BotAccount) -> Message:
    """The next document the bot sends this person."""
    return await sandbox.next_message(
        person.chat_with(bot), predicate=lambda m: m.document is not None, timeout=TIMEOUT
    )


def rows_of(sandbox: Sandbox, message: Message) -> list[dict[str, str]]:
    assert message.document is not None
    text = sandbox.file(message.document.file_id).data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


async def start_export(sandbox: Sandbox, person: Person, bot: BotAccount) -> Message:
    return await ask(sandbox, person, bot, "/export", lambda m: HEAD in (m.text or ""))


def draft_of(message: Message) -> str:
    """The draft id in a question's buttons (to forge a press with)."""
    data = message.buttons[0]["callback_data"]
    assert isinstance(data, str)
    return data.split(":")[1]


async def test_coordinator_exports_answers_and_summaries_through_the_buttons(
    world: World, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, temp_dir: Path
) -> None:
    today = world.services.insight.today().isoformat()
    wizard = await start_export(sandbox, coordinator, tg_bot)
    assert wizard.text == f"{HEAD}\n\nWat wil je exporteren?"
    assert wizard.button_texts == ["Antwoorden", "Samenvattingen per peiling", "Annuleren"]
    await tap(sandbox, coordinator, wizard, "Antwoorden", "Over welke periode?")
    assert wizard.button_texts == [
        "Laatste 7 dagen",
        "Laatste 30 dagen",
        "Dit jaar",
        "Alles",
        "Eigen periode…",
        "Annuleren",
    ]
    await tap(sandbox, coordinator, wizard, "Laatste 30 dagen", "Welke wijken?")
    assert wizard.button_texts == [
        "✓ Alle wijken",
        "Kanaleneiland",
        "Overvecht",
        "Verder",
        "Annuleren",
    ]
    await tap(sandbox, coordinator, wizard, "Overvecht")
    await sandbox.wait_for(lambda: "✓ Overvecht" in wizard.button_texts, timeout=TIMEOUT)
    assert "Alle wijken" in wizard.button_texts
    await tap(sandbox, coordinator, wizard, "Verder", "In welk formaat?")
    assert wizard.button_texts == ["CSV", "XLSX (Excel)", "JSON Lines", "Annuleren"]
    await tap(sandbox, coordinator, wizard, "CSV", "Met pseudoniemen, of met namen")
    await tap(sandbox, coordinator, wizard, "Met pseudoniemen")

    sent = await document(sandbox, coordinator, tg_bot)
    assert sent.document is not None
    assert sent.document.filename == f"bondgenoten-antwoorden-{today}.csv"
    assert sent.caption == "📄 3 antwoorden · laatste 30 dagen · Overvecht"
    rows = rows_of(sandbox, sent)
    # Made in the chat: the headers are in the reader's language (Dutch here).
    assert list(rows[0])[:6] == [
        "Peiling", "Gebeurtenis", "Wijk", "Beantwoord op", "Antwoord (code)", "Antwoord"
    ]  # fmt: skip
    assert {r["Wijk"] for r in rows} == {"Overvecht"}
    assert sorted((r["Gebeurtenis"], r["Antwoord"]) for r in rows) == [
        ("Aanslag op moskee", "Onrust"),
        ("Aanslag op moskee", "Rustig"),
        ("Rellen na de wedstrijd", "Onderwerp van gesprek"),
    ]
    assert "Naam" not in rows[0] and "Telegram-id" not in rows[0]
    fatima, mehmet = world.net["Overvecht"].key_figures
    pseudonym = Pseudonyms(KEY.encode())
    assert {r["Persoon (pseudoniem)"] for r in rows} == {
        pseudonym(fatima.id),
        pseudonym(mehmet.id),
    }
    await sandbox.wait_for(lambda: "✅ Verstuurd: 3 rijen." in (wizard.text or ""), TIMEOUT)
    assert wizard.text == (
        f"{HEAD}\nWat: Antwoorden\nPeriode: laatste 30 dagen\nWijken: Overvecht\n"
        "Formaat: CSV\nPersonen: pseudoniemen\n\n"
        "✅ Verstuurd: 3 rijen. De export staat in het auditlog."
    )
    assert wizard.button_texts == []
    assert leftovers(temp_dir) == []  # the temporary file is gone

    # The summaries over a typed period, as JSON Lines; a period that cannot be read first.
    wizard = await start_export(sandbox, coordinator, tg_bot)
    await tap(sandbox, coordinator, wizard, "Samenvattingen per peiling", "Over welke periode?")
    await tap(sandbox, coordinator, wizard, "Eigen periode…", "Typ de periode")
    assert wizard.button_texts == ["Annuleren"]
    problem = await ask(sandbox, coordinator, tg_bot, "vorige maand")
    assert (problem.text or "").startswith("Die periode begrijp ik niet.")
    question = await ask(sandbox, coordinator, tg_bot, f"2026-01-01 tot {today}")
    assert "Welke wijken?" in (question.text or "")
    assert wizard.button_texts == []  # only the newest question has live buttons
    await tap(sandbox, coordinator, question, "Verder", "In welk formaat?")
    # No question about small groups: they are always hidden, at the configured k (5).
    await tap(sandbox, coordinator, question, "JSON Lines")
    sent = await document(sandbox, coordinator, tg_bot)
    assert sent.document is not None
    assert sent.document.filename == f"bondgenoten-samenvattingen-{today}.jsonl"
    lines = sandbox.file(sent.document.file_id).data.decode().splitlines()
    summaries = sorted((json.loads(line) for line in lines), key=lambda r: r["district"])
    # The open check-in counts too: each check-in and district is a row; with fewer than 5
    # respondents each, every figure is blank and the row says it was suppressed.
    assert [(s["district"], s["event"], s["responses"], s["suppressed"]) for s in summaries] == [
        ("Kanaleneiland", "Aanslag op moskee", None, True),
        ("Kanaleneiland", "Rellen na de wedstrijd", None, True),
        ("Overvecht", "Aanslag op moskee", None, True),
        ("Overvecht", "Rellen na de wedstrijd", None, True),
    ]
    assert "Wijken onder 5 respondenten: verborgen" in (question.text or "")

    # Both exports are in the audit log, by the coordinator, from the chat.
    async with world.services.uow() as uow:
        entries = list(
            await uow.session.execute(
                select(AuditEntry.action, AuditEntry.actor_telegram_id, AuditEntry.subject)
                .where(AuditEntry.action.like("export.%"))
                .order_by(AuditEntry.id)
            )
        )
    assert [tuple(e) for e in entries] == [
        ("export.answers", coordinator.id, "chat"),
        ("export.summaries", coordinator.id, "chat"),
    ]


async def test_a_chief_exports_only_their_district_and_never_names(
    world: World, sandbox: Sandbox, tg_bot: BotAccount
) -> None:
    jan = chief(world, "Overvecht")
    wizard = await start_export(sandbox, jan, tg_bot)
    await tap(sandbox, jan, wizard, "Antwoorden", "Over welke periode?")
    # One district of their own: no district question; no names question for a chief.
    await tap(sandbox, jan, wizard, "Alles", "In welk formaat?")
    assert "Wijken: Overvecht" in (wizard.text or "")
    draft = draft_of(wizard)
    forged = await wait_answer(await jan.forge_press(wizard, f"exp:{draft}:n:1"), TIMEOUT)
    assert forged.text == "Deze knop werkt niet (meer). Stuur /export opnieuw."
    await tap(sandbox, jan, wizard, "CSV")
    sent = await document(sandbox, jan, tg_bot)
    rows = rows_of(sandbox, sent)
    assert len(rows) == 3 and {r["Wijk"] for r in rows} == {"Overvecht"}
    assert "Naam" not in rows[0]
    assert "Personen: pseudoniemen" in (wizard.text or "")

    # Kanaleneiland's chief, pressing through an Overvecht toggle that was never offered.
    petra = chief(world, "Kanaleneiland")
    other = await start_export(sandbox, petra, tg_bot)
    await tap(sandbox, petra, other, "Samenvattingen per peiling", "Over welke periode?")
    await tap(sandbox, petra, other, "Dit jaar", "In welk formaat?")
    toggle = await wait_answer(await petra.forge_press(other, f"exp:{draft_of(other)}:d:1"))
    assert toggle.text == "Deze knop werkt niet (meer). Stuur /export opnieuw."
    # Someone else's draft is not theirs to press.
    theirs = await wait_answer(await petra.forge_press(other, f"exp:{draft}:f:0"))
    assert theirs.text == "Deze knop werkt niet (meer). Stuur /export opnieuw."

    # Key figures do not export; in a group the command points to the private chat.
    fatima = world.net["Overvecht"].key_figures[0]
    refused = await ask(sandbox, fatima, tg_bot, "/export")
    assert refused.text == "Exporteren kan alleen voor coördinatoren en voor chefs van een wijk."
    group = world.net["Overvecht"].group
    pointer = await ask(sandbox, jan, group, "/export")
    assert (pointer.text or "").startswith("/export werkt alleen in een privégesprek met mij")


async def test_without_a_pseudonym_key_the_admin_is_named(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person, temp_dir: Path
) -> None:
    await begin(sandbox, coordinator, tg_bot)
    await ask(sandbox, coordinator, tg_bot, "/wijk Overvecht")
    wizard = await start_export(sandbox, coordinator, tg_bot)
    await tap(sandbox, coordinator, wizard, "Antwoorden", "Over welke periode?")
    await tap(sandbox, coordinator, wizard, "Laatste 7 dagen", "In welk formaat?")
    await tap(sandbox, coordinator, wizard, "XLSX (Excel)", "Met pseudoniemen")
    await tap(sandbox, coordinator, wizard, "Met namen en Telegram-id's", "privacy.pseudonym_key")
    assert (wizard.text or "").endswith(
        "Antwoorden exporteren kan nog niet: de beheerder moet eerst privacy.pseudonym_key "
        "instellen in het configuratiebestand (een lange geheime sleutel voor vaste "
        "pseudoniemen)."
    )
    assert [m for m in sandbox.sent(coordinator.chat_with(tg_bot)) if m.document] == []
    assert leftovers(temp_dir) == []


def png_size(sandbox: Sandbox, message: Message) -> tuple[int, int]:
    """The uploaded image's own size, read from its PNG header."""
    assert message.photo
    data = sandbox.file(message.photo[-1].file_id).data
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_summary_chart_trend_overview_and_audit(
    world: World, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    chat = coordinator.chat_with(tg_bot)
    # The closing summary came with its chart, right after the text.
    sent = sandbox.sent(chat, tg_bot)
    [summary_at] = [
        i for i, m in enumerate(sent) if (m.text or "").startswith("📊 Samenvatting peiling")
    ]
    chart = sent[summary_at + 1]
    assert chart.photo and png_size(sandbox, chart) == (1080, 370 + 82 * 2)

    trend = await ask(sandbox, coordinator, tg_bot, "/trend", lambda m: bool(m.photo))
    assert png_size(sandbox, trend) == (1080, 1350)
    assert trend.caption == "📈 Trend (1/1): Kanaleneiland, Overvecht"
    one = await ask(sandbox, coordinator, tg_bot, "/trend overvecht", lambda m: bool(m.photo))
    assert one.caption == "📈 Trend (1/1): Overvecht"
    unknown = await ask(sandbox, coordinator, tg_bot, "/trend Overvech")
    assert unknown.text == "Ik ken geen wijk ‘Overvech’. Bedoel je: Overvecht?"
    petra = chief(world, "Kanaleneiland")
    theirs = await ask(sandbox, petra, tg_bot, "/trend", lambda m: bool(m.photo))
    assert theirs.caption == "📈 Trend (1/1): Kanaleneiland"
    assert (await ask(sandbox, petra, tg_bot, "/trend Overvecht")).text == DENIED
    fatima = world.net["Overvecht"].key_figures[0]
    assert (await ask(sandbox, fatima, tg_bot, "/trend")).text == DENIED

    overview = (await ask(sandbox, coordinator, tg_bot, "/overzicht")).text or ""
    assert overview.startswith("📋 Overzicht per wijk\nContactverzoeken geteld sinds ")
    blocks = overview.split("\n\n")[1:]
    assert blocks[0].startswith("Kanaleneiland · 1 bondgenoot\n🟢 Peiling #2 loopt nog (tot ")
    assert blocks[0].endswith(": Rellen na de wedstrijd\nRespons 0 van 1 · mediaan –")
    assert blocks[1].startswith("Overvecht · 2 bondgenoten\n🟢 Peiling #2 loopt nog")
    assert blocks[1].endswith("Respons 1 van 2 · mediaan 2 (Onderwerp van gesprek)")
    jan = chief(world, "Overvecht")
    own = (await ask(sandbox, jan, tg_bot, "/overzicht")).text or ""
    assert "Overvecht · 2 bondgenoten" in own and "Kanaleneiland" not in own

    # The audit log, ten a page, newest first; older and back again.
    page = await ask(sandbox, coordinator, tg_bot, "/audit")
    assert (page.text or "").startswith("🗂 Auditlog (nieuwste eerst)\n\n")
    assert page.button_texts == ["Ouder »"]
    first = page.text
    assert (first or "").count(" — ") == 10
    await tap(sandbox, coordinator, page, "Ouder »")
    await sandbox.wait_for(lambda: page.text != first, timeout=TIMEOUT)
    assert "« Nieuwer" in page.button_texts
    await tap(sandbox, coordinator, page, "« Nieuwer")
    await sandbox.wait_for(lambda: page.text == first, timeout=TIMEOUT)
    assert page.button_texts == ["Ouder »"]
    assert f"(id {coordinator.id})" in (first or "")
    # Petra's and Fatima's refused /trend are there, so a coordinator can see probing.
    refusals = [b for b in (first or "").split("\n\n") if "refused — /trend" in b]
    assert [f"(id {p.id})" in b for p, b in zip((fatima, petra), refusals, strict=True)] == [
        True,
        True,
    ]
    refused = await ask(sandbox, jan, tg_bot, "/audit")
    assert refused.text == "Het auditlog is alleen voor coördinatoren."
    # A forged paging press from a chief's own chat gets the same refusal.
    forged = await wait_answer(await jan.forge_press(refused, "aud:0:1"), TIMEOUT)
    assert forged.text == "Het auditlog is alleen voor coördinatoren."


async def test_pressing_the_ticked_choice_again_changes_nothing_and_is_answered_once(
    world: World,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wizard = await start_export(sandbox, coordinator, tg_bot)
    await tap(sandbox, coordinator, wizard, "Antwoorden", "Over welke periode?")
    await tap(sandbox, coordinator, wizard, "Alles", "Welke wijken?")
    since = time.monotonic()

    await tap(sandbox, coordinator, wizard, "✓ Alle wijken")
    # One person's presses are handled in order: once the next one shows, the first one,
    # its error handling included, is done.
    await tap(sandbox, coordinator, wizard, "Overvecht")
    await sandbox.wait_for(lambda: "✓ Overvecht" in wizard.button_texts, timeout=TIMEOUT)

    answers = sandbox.calls("answerCallbackQuery", since=since)
    assert len(answers) == len({call.params["callback_query_id"] for call in answers}) == 2
    refused = [(c.method, c.description) for c in sandbox.calls(ok=False, since=since)]
    assert all(method == "editMessageText" for method, _ in refused), refused
    assert "error while handling an update" not in caplog.text
