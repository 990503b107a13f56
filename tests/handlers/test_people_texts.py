"""Invitations, intake and roster texts: parsing what people type, rendering what they read."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.common import chunks, person_ref, refusal, split_district
from handlers.people.intake import IntakeChoice, IntakeMove
from handlers.people.intake_texts import agreement_text, problem_text, welcome_text
from handlers.people.invitations import invitation_link, parse_invite
from handlers.people.leaving import LeaveCancel, LeavePick, left_text
from handlers.people.members import roster_lines
from handlers.render import render
from services.intake import (
    AGREEMENT_VERSION,
    InvitationValid,
    Joined,
    LinkExpired,
    LinkProblem,
    LinkRevoked,
    LinkUnknown,
    LinkUsed,
)
from services.members import Left, Roster, RosterEntry
from services.outcomes import (
    DENIED,
    AmbiguousPerson,
    MembershipInfo,
    PersonInfo,
    UnknownDistrict,
)
from services.ports import Notice
from services.privacy.policy import PrivacyPolicy
from storage.models import Role

AMS = ZoneInfo("Europe/Amsterdam")
NOON = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 12:00 in Amsterdam (summer time)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Overvecht", ("Overvecht", Role.KEY_FIGURE)),
        ("Overvecht chef", ("Overvecht", Role.CHIEF)),
        ("Kanaleneiland Noord Bondgenoot", ("Kanaleneiland Noord", Role.KEY_FIGURE)),
        ('"Kanaleneiland Noord" chef', ("Kanaleneiland Noord", Role.CHIEF)),
        ("chef", None),
        ("", None),
    ],
)
def test_parse_invite(typed: str, expected: tuple[str, Role] | None) -> None:
    assert parse_invite(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Overvecht Fatima Z", ("Overvecht", "Fatima Z")),
        ('"Kanaleneiland Noord" Fatima', ("Kanaleneiland Noord", "Fatima")),
        ("“Kanaleneiland Noord” 2001", ("Kanaleneiland Noord", "2001")),
        ("'t Zandpad Ali", ("'t", "Zandpad Ali")),
        ("Overvecht", ("Overvecht", "")),
        ("", ("", "")),
    ],
)
def test_split_district(typed: str, expected: tuple[str, str]) -> None:
    assert split_district(typed) == expected


def test_person_ref_reads_ids_as_numbers_and_the_rest_as_names() -> None:
    assert person_ref("2001") == 2001
    assert person_ref('"Fatima Z"') == "Fatima Z"
    assert person_ref("²") == "²"  # a digit to str.isdigit(), not to int()
    assert person_ref("9" * 20) == "9" * 20


def test_link_is_the_deep_link() -> None:
    assert invitation_link("bg_bot", "abc-_1") == "https://t.me/bg_bot?start=abc-_1"


def _offer(**changes: object) -> InvitationValid:
    values: dict[str, object] = {
        "district": "Overvecht & <Zuid>",
        "role": Role.KEY_FIGURE,
        "agreement_version": AGREEMENT_VERSION,
        "expires_at": NOON,
        "move_from": None,
        "current_role": None,
    }
    values.update(changes)
    return InvitationValid(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_agreement_names_purpose_duties_data_readers_retention_and_leaving(language: str) -> None:
    text = agreement_text(_offer(), AMS, language, PrivacyPolicy())
    assert "Overvecht &amp; &lt;Zuid&gt;" in text  # the name is escaped
    assert "/stoppen" in text and AGREEMENT_VERSION in text
    assert "12:00" in text
    if language == "nl":
        for part in (
            "niet vrijblijvend: we staan samen voor de wijk",
            "Wat we opslaan",
            "Wie dat ziet",
            "Hoe lang",
            "niet end-to-end versleuteld",
            "reageert als we peilen",
        ):
            assert part in text


def test_agreement_for_a_chief_notes_a_move_or_role_change() -> None:
    chief = agreement_text(_offer(role=Role.CHIEF), AMS, "nl", PrivacyPolicy())
    assert "Uitnodiging: chef van" in chief and "Van jou als chef" in chief
    moving = agreement_text(_offer(move_from="Kanaleneiland"), AMS, "nl", PrivacyPolicy())
    assert "je bent nu bondgenoot van Kanaleneiland" in moving
    change = agreement_text(
        _offer(role=Role.CHIEF, current_role=Role.KEY_FIGURE), AMS, "en", PrivacyPolicy()
    )
    assert "You are now key figure of" in change and "you become chief" in change


def test_welcome_says_what_happens_next() -> None:
    moved = welcome_text(Joined("Kanaleneiland", Role.KEY_FIGURE, moved_from="Overvecht"), "nl")
    assert moved.startswith("<b>Welkom bij de bondgenoten van Kanaleneiland!</b>")
    assert moved.endswith("Je bent geen bondgenoot van Overvecht meer.")
    promoted = welcome_text(Joined("Overvecht", Role.CHIEF, previous_role=Role.KEY_FIGURE), "nl")
    assert "/peiling" in promoted and promoted.endswith("was je bondgenoot; nu ben je chef.")


def test_each_link_problem_has_its_own_text() -> None:
    problems: list[LinkProblem] = [LinkExpired(), LinkUsed(), LinkRevoked(), LinkUnknown()]
    assert len({problem_text(p, "nl") for p in problems}) == 4


def test_roster_lines() -> None:
    entries = (
        RosterEntry(3001, "Jan", Role.CHIEF, NOON, True, None),
        RosterEntry(2001, "<Fatima>", Role.KEY_FIGURE, NOON, False, NOON),
    )
    lines = roster_lines(Roster("Overvecht", True, entries), AMS, "nl")
    assert lines[0] == "<b>Overvecht</b>: 2 leden"
    assert lines[1] == "<i>Deze wijk is gearchiveerd.</i>"
    assert lines[2].splitlines() == [
        "• <b>Jan</b> <code>3001</code> — chef, lid sinds 1 jun 2026",
        "   privé bereikbaar · laatste antwoord: nog geen",
    ]
    assert "&lt;Fatima&gt;" in lines[3] and "privé niet bereikbaar" in lines[3]
    assert "laatste antwoord: ma 1 jun 12:00" in lines[3]
    one = roster_lines(Roster("Overvecht", False, entries[:1]), AMS, "en")
    assert one[0] == "<b>Overvecht</b>: 1 member"
    assert roster_lines(Roster("Overvecht", False, ()), AMS, "nl")[0].startswith("Er hoort nog")


def test_left_text_counts_with_plural_forms() -> None:
    one = Left((MembershipInfo("Overvecht", Role.KEY_FIGURE),))
    assert left_text(one, "nl").startswith("Je bent gestopt als bondgenoot van Overvecht.")
    two = Left((MembershipInfo("A", Role.CHIEF), MembershipInfo("B", Role.CHIEF)))
    assert left_text(two, "en").startswith("You stopped in 2 districts: chief of A, chief of B.")


def test_refusals() -> None:
    assert refusal(DENIED, "nl") == t_denied()
    assert refusal(UnknownDistrict("Overvect", ("Overvecht",)), "nl") == (
        "Ik ken geen wijk ‘Overvect’. Bedoel je: Overvecht?"
    )
    assert "/wijken" in refusal(UnknownDistrict("X"), "nl")
    ambiguous = refusal(AmbiguousPerson((PersonInfo(1, "A"), PersonInfo(2, "A"))), "nl")
    assert ambiguous.splitlines()[1:] == ["• A — <code>1</code>", "• A — <code>2</code>"]


def t_denied() -> str:
    return "Dat kan ik niet voor je doen: daarvoor heb je niet de juiste rol."


@pytest.mark.parametrize(
    ("notice", "nl", "en"),
    [
        (
            Notice("invitation.accepted", {"name": "Ali", "district": "O", "role": "chef"}),
            "Ali heeft je uitnodiging aangenomen en is nu chef van O.",
            "Ali accepted your invitation and is now chief of O.",
        ),
        (
            Notice("invitation.declined", {"district": "O", "role": "bondgenoot"}),
            "Je uitnodiging als bondgenoot van O is afgeslagen.",
            "Your invitation as key figure of O was declined.",
        ),
        (
            Notice("member.removed", {"district": "O", "role": "bondgenoot"}),
            "De coördinator heeft je uit O gehaald; je was daar bondgenoot.",
            "The coordinator removed you from O, where you were key figure.",
        ),
        (
            Notice("role.taken", {"role": "chef", "districts": ["A", "B"]}),
            "Je bent geen chef meer (dat was je in: A, B).",
            "You are no longer chief (you were in: A, B).",
        ),
        (
            Notice("member.left", {"name": "<Ali>", "district": "O", "role": "chef"}),
            "&lt;Ali&gt; is gestopt als chef van O.",
            "&lt;Ali&gt; stopped as chief of O.",
        ),
    ],
)
def test_notices_to_other_people(notice: Notice, nl: str, en: str) -> None:
    assert render(notice, AMS, "nl").startswith(nl)
    assert render(notice, AMS, "en").startswith(en)


def test_callback_data_fits_and_is_strict() -> None:
    ref = "Ab-_12Cd"  # secrets.token_urlsafe(6)
    for data in (IntakeChoice(ref, True), IntakeMove(ref, False), LeavePick(ref, -1)):
        encoded = data.encode()
        assert len(encoded.encode()) <= 64
        assert type(data).parse(encoded) == data
    assert LeaveCancel.parse(LeaveCancel(ref).encode()) == LeaveCancel(ref)
    for forged in ("itk:x:2", "itk:x", "itk:x:1:1", "itk:" + "a" * 41 + ":1", "stop:x:one"):
        assert IntakeChoice.parse(forged) is None and LeavePick.parse(forged) is None


def test_long_lists_are_split_below_telegrams_limit() -> None:
    lines = [f"line {i} " + "x" * 90 for i in range(100)]
    parts = chunks(lines)
    assert len(parts) == 3 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts).splitlines() == lines
