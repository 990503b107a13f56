"""Texts for districts and groups: every outcome has words, input is escaped, lists split."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from telegram import Chat as TgChat
from telegram import Message

from handlers.callback_data import decode
from handlers.districts.commands import command_rest, parse_wijk
from handlers.districts.group_keyboards import ReplaceGroup
from handlers.districts.group_texts import added_text, link_reply
from handlers.districts.groups import district_of_question
from handlers.districts.texts import district_reply, overview_messages, pack
from handlers.render import render
from services.districts import (
    ArchiveChanged,
    DistrictConfigured,
    DistrictCreated,
    DistrictOverview,
    DistrictRenamed,
)
from services.groups import (
    AlreadyLinked,
    GroupAdded,
    GroupLinked,
    GroupLinkedElsewhere,
    GroupState,
    NeedsConfirmation,
)
from services.outcomes import (
    DENIED,
    DistrictArchived,
    DistrictExists,
    InvalidName,
    UnknownDistrict,
)
from services.ports import Notice

TZ = ZoneInfo("Europe/Amsterdam")


def row(name: str = "Overvecht", **changes: object) -> DistrictOverview:
    values: dict[str, object] = {
        "name": name,
        "archived": False,
        "group_linked": True,
        "group_reachable": True,
        "group_title": "Overvecht bondgenoten",
        "key_figures": 1,
        "chiefs": ("Jan", "Aïcha"),
        "ask_privately": False,
        "show_tally": True,
    }
    values.update(changes)
    return DistrictOverview(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("/wijk", ("", "", "")),
        ("/wijk  Oud  Zuilen ", ("", "Oud  Zuilen", "")),
        ("/wijk@bondgenoten_bot Zuilen", ("", "Zuilen", "")),
        ("/wijk Hernoem Oud = Nieuw = Echt", ("hernoem", "Oud", "Nieuw = Echt")),
        ("/wijk hernoem\nOud=Nieuw", ("hernoem", "Oud", "Nieuw")),
        ("/wijk hernoem Oud Nieuw", ("hernoem", "", "")),
        ("/wijk archiveer  Zuilen", ("archiveer", "Zuilen", "")),
        ("/wijk herstel", ("herstel", "", "")),
        ("/wijk Herstelwijk", ("", "Herstelwijk", "")),
        ("/wijk privé Oud  Zuilen AAN", ("privé", "Oud  Zuilen", "aan")),
        ("/wijk Prive Zuilen\nuit", ("privé", "Zuilen", "uit")),
        ("/wijk PRIVE\u0301 Zuilen aan", ("privé", "Zuilen", "aan")),
        ("/wijk privé Zuilen", ("privé", "", "")),
        ("/wijk privé Zuilen misschien", ("privé", "", "")),
        ("/wijk privé aan", ("privé", "", "")),
        ("/wijk privé", ("privé", "", "")),
        ("/wijk telling Zuilen verbergen", ("telling", "Zuilen", "verbergen")),
        ("/wijk Telling Oud Zuilen Tonen", ("telling", "Oud Zuilen", "tonen")),
        ("/wijk telling Zuilen aan", ("telling", "", "")),
        ("/wijk Privéwijk", ("", "Privéwijk", "")),
        ("/wijk taal Oud Zuilen EN", ("taal", "Oud Zuilen", "en")),
        ("/wijk taal Zuilen xx", ("taal", "", "")),
        ("/wijk taal en", ("taal", "", "")),
        ("/wijk Taalwijk", ("", "Taalwijk", "")),
    ],
)
def test_wijk_arguments(text: str, parsed: tuple[str, str, str]) -> None:
    assert parse_wijk(command_rest(text)) == parsed


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (DENIED, "Wijken beheren kan alleen een coördinator."),
        (InvalidName("empty", 60), "Zo werkt /wijk:"),
        (UnknownDistrict(""), "Zo werkt /wijk:"),
        (InvalidName("too_long", 60), "Die naam is te lang: maximaal 60 tekens."),
        (UnknownDistrict("Zuil"), "Ik ken geen wijk ‘Zuil’. Met /wijken"),
        (
            UnknownDistrict("Zuil", ("Zuilen", "Zuid")),
            "Ik ken geen wijk ‘Zuil’. Bedoel je: Zuilen, Zuid?",
        ),
        (DistrictExists("Zuilen"), "Er is al een wijk met die naam: <b>Zuilen</b>."),
        (DistrictCreated("Zuilen"), "Wijk <b>Zuilen</b> is aangemaakt."),
        (DistrictRenamed("Zuil", "Zuilen"), "Wijk Zuil heet nu <b>Zuilen</b>."),
        (ArchiveChanged("Zuilen", True, True), "Wijk <b>Zuilen</b> is gearchiveerd."),
        (ArchiveChanged("Zuilen", True, False), "Wijk <b>Zuilen</b> was al gearchiveerd."),
        (ArchiveChanged("Zuilen", False, True), "Wijk <b>Zuilen</b> is weer in gebruik."),
        (ArchiveChanged("Zuilen", False, False), "Wijk <b>Zuilen</b> is niet gearchiveerd"),
        (
            DistrictConfigured("Zuilen", True, False, changed=True),
            "Wijk <b>Zuilen</b> is bijgewerkt: privé vraag: aan · telling: verborgen.",
        ),
        (
            DistrictConfigured("Zuilen", False, True, changed=False),
            "Wijk <b>Zuilen</b> stond al zo ingesteld: privé vraag: uit · telling: zichtbaar.",
        ),
    ],
)
def test_every_district_outcome_has_a_dutch_text(outcome: object, expected: str) -> None:
    assert district_reply(outcome, "nl").startswith(expected)  # type: ignore[arg-type]
    assert district_reply(outcome, "en")  # type: ignore[arg-type]


def test_usage_lists_every_form_of_wijk() -> None:
    usage = district_reply(UnknownDistrict(""), "nl")
    for form in (
        "/wijk &lt;naam&gt; — ",
        "/wijk hernoem &lt;oud&gt; = &lt;nieuw&gt; — ",
        "/wijk archiveer &lt;naam&gt; — ",
        "/wijk herstel &lt;naam&gt; — ",
        "/wijk privé &lt;naam&gt; aan|uit — ",
        "/wijk telling &lt;naam&gt; tonen|verbergen — ",
    ):
        assert f"\n{form}" in usage, form
    english = district_reply(UnknownDistrict(""), "en")
    assert "/wijk privé &lt;name&gt; aan|uit" in english
    assert "/wijk telling &lt;name&gt; tonen|verbergen" in english


def test_configured_names_are_escaped_and_english_says_the_same() -> None:
    text = district_reply(DistrictConfigured("<b>A&B</b>", True, True, changed=True), "nl")
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in text
    english = district_reply(DistrictConfigured("Zuilen", True, False, changed=True), "en")
    assert english == (
        "District <b>Zuilen</b> has been updated: private question: on · tally: hidden."
    )


def test_archiving_counts_revoked_invitations_with_plurals() -> None:
    one = district_reply(ArchiveChanged("Zuilen", True, True, invitations_revoked=1), "nl")
    two = district_reply(ArchiveChanged("Zuilen", True, True, invitations_revoked=2), "nl")
    assert one.endswith("\n1 openstaande uitnodiging is ingetrokken.")
    assert two.endswith("\n2 openstaande uitnodigingen zijn ingetrokken.")


def test_names_are_escaped() -> None:
    text = district_reply(DistrictCreated("<b>A&B</b>"), "nl")
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in text
    [listing] = overview_messages([row("<i>x</i>", group_title="<a>", chiefs=("<u>",))], "nl")
    assert "<i>" not in listing and "<a>" not in listing and "<u>" not in listing


def test_overview_shows_group_state_people_and_chiefs() -> None:
    [text] = overview_messages(
        [
            row(),
            row("Zuilen", group_reachable=False, key_figures=0, chiefs=(), ask_privately=True),
            row(
                "Lunetten",
                archived=True,
                group_linked=False,
                group_reachable=False,
                show_tally=False,
            ),
        ],
        "nl",
    )
    assert text == (
        "<b>3 wijken</b>\n\n"
        "<b>Overvecht</b>\nGroep: Overvecht bondgenoten ✅\n1 bondgenoot · chef: Jan, Aïcha\n"
        "privé vraag: uit · telling: zichtbaar\n\n"
        "<b>Zuilen</b>\nGroep: Overvecht bondgenoten ⚠️ niet bereikbaar\n"
        "0 bondgenoten · nog geen chef\nprivé vraag: aan · telling: zichtbaar\n\n"
        "<b>Lunetten</b> · gearchiveerd\nGroep: nog niet gekoppeld\n"
        "1 bondgenoot · chef: Jan, Aïcha\nprivé vraag: uit · telling: verborgen"
    )
    assert overview_messages([row(group_title=None)], "nl")[0].count("(groep zonder naam)") == 1
    assert overview_messages([], "nl")[0].startswith("Er zijn nog geen wijken.")
    assert overview_messages(DENIED, "nl")[0].startswith("Je hebt geen wijken")
    assert overview_messages([row()], "en")[0].startswith("<b>1 district</b>")


def test_long_overviews_are_split_between_districts() -> None:
    rows = [row(f"Wijk {i:03}") for i in range(200)]
    messages = overview_messages(rows, "nl")
    assert len(messages) > 1 and all(len(m) <= 3800 for m in messages)
    assert sum(m.count("Groep: ") for m in messages) == 200
    assert pack(["a", "b", "c"], limit=4) == ["a\n\nb", "c"]
    assert pack([]) == []


@pytest.mark.parametrize(
    ("added", "expected"),
    [
        (GroupAdded(GroupState.PENDING, None, True, 10), "Hallo! Koppel deze groep"),
        (GroupAdded(GroupState.REACHABLE_AGAIN, "Zuilen", False, 10), "Fijn, ik ben er weer."),
    ],
)
def test_what_the_bot_says_when_added(added: GroupAdded, expected: str) -> None:
    text = added_text(added, "nl")
    assert text is not None and text.startswith(expected)


def test_nothing_is_said_when_added_to_an_already_linked_group() -> None:
    assert added_text(GroupAdded(GroupState.LINKED, "Zuilen", True, 10), "nl") is None


@pytest.mark.parametrize("state", [GroupState.PENDING, GroupState.LEFT_AT_ONCE])
def test_nothing_is_said_in_a_group_that_no_coordinator_brought(state: GroupState) -> None:
    assert added_text(GroupAdded(state, None, False, 10), "nl") is None


def test_the_grace_period_uses_plural_forms() -> None:
    one = added_text(GroupAdded(GroupState.PENDING, None, True, 1), "nl")
    ten = added_text(GroupAdded(GroupState.PENDING, None, True, 10), "nl")
    assert one is not None and "binnen 1 minuut" in one
    assert ten is not None and "binnen 10 minuten" in ten


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (DENIED, "Alleen een coördinator kan deze groep"),
        (UnknownDistrict(""), "Typ /koppel met de naam"),
        (UnknownDistrict("Zuil", ("Zuilen",)), "Ik ken geen wijk ‘Zuil’. Bedoel je: Zuilen?"),
        (DistrictArchived("Zuilen"), "Wijk <b>Zuilen</b> is gearchiveerd."),
        (AlreadyLinked("Zuilen"), "Deze groep hoort al bij wijk <b>Zuilen</b>."),
        (GroupLinkedElsewhere("Zuilen"), "Deze groep is al gekoppeld aan wijk <b>Zuilen</b>."),
        (NeedsConfirmation("Zuilen", "Oud", -5), "Wijk <b>Zuilen</b> heeft al een groep: Oud."),
        (NeedsConfirmation("Zuilen", "", -5), "Wijk <b>Zuilen</b> heeft al een groep: (groep"),
        (GroupLinked("Zuilen"), "Deze groep is nu gekoppeld aan wijk <b>Zuilen</b>."),
    ],
)
def test_every_link_outcome_has_a_dutch_text(outcome: object, expected: str) -> None:
    assert link_reply(outcome, "nl").startswith(expected)  # type: ignore[arg-type]
    assert link_reply(outcome, "en")  # type: ignore[arg-type]


def test_replace_buttons_decode_strictly() -> None:
    assert decode(ReplaceGroup(True).encode()) == ReplaceGroup(True)
    for forged in ("kop", "kop:2", "kop:1:1", "kop:yes", "kop:1:"):
        assert ReplaceGroup.parse(forged) is None


def _question(command: str | None) -> Message:
    chat = TgChat(-42, "group")
    at = datetime(2025, 1, 1, tzinfo=UTC)
    asked = None if command is None else Message(1, at, chat, text=command)
    return Message(2, at, chat, text="Vervangen?", reply_to_message=asked)


@pytest.mark.parametrize(
    ("command", "district"),
    [
        ("/koppel Zuilen  Oost", "Zuilen  Oost"),
        ("/KOPPEL@bondgenoten_bot Zuilen", "Zuilen"),
        ("/koppel", None),
        ("/wijk Zuilen", None),
        ("", None),
        (None, None),
    ],
)
def test_the_question_keeps_its_district_in_the_command_it_answers(
    command: str | None, district: str | None
) -> None:
    assert district_of_question(_question(command)) == district
    assert district_of_question(None) is None


@pytest.mark.parametrize(
    "notice",
    [
        Notice("group.goodbye_unlinked", {"minutes": 10}),
        Notice("group.left_unlinked", {"title": "<Buurt>", "chat_id": -42, "minutes": 10}),
        Notice("group.replaced_goodbye", {"district": "Zuilen"}),
        Notice(
            "group.unreachable",
            {"district": "Zuilen", "title": "Z", "chat_id": -42, "reason": "forbidden"},
        ),
        Notice("group.reachable_again", {"district": "Zuilen", "title": "Z"}),
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_service_notices_render(notice: Notice, language: str) -> None:
    text = render(notice, TZ, language)
    assert "{" not in text and "<Buurt>" not in text
