"""The demo's meeting: after the check-in the chief invites the districts to a meal, key
figures answer with the RSVP buttons, give dietary needs privately, the chief counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo.people import TIMEOUT, Actors
from bot.demo.texts import numbered, shows
from handlers.i18n import t
from sandbox.models import Chat
from sandbox.people import Person
from services.container import Services
from services.meetings.views import Headcount

# The place and the meal the chief types are in the demo's catalog (demo.place, demo.meal).
# Per district, what its first key figures press (the rest do not answer): meeting.rsvp.<code>.
RSVPS = {
    "Overvecht": ("yes", "yes", "maybe", "no", "yes"),
    "Kanaleneiland": ("yes", "maybe", "no"),
    "Zuilen": ("yes",),
}
# Dietary needs given privately by who said they would (maybe) come, by (district, index):
# meeting.diet.need.<code>.
NEEDS = {
    ("Overvecht", 0): ("halal",),
    ("Overvecht", 1): ("vegetarian", "nut_allergy"),
    ("Kanaleneiland", 0): ("halal", "gluten_free"),
}


async def plan_meeting(actors: Actors, chief: Person, services: Services) -> int:
    """The chief plans a meal for all three districts in two weeks through /bijeenkomst."""
    lang = actors.language
    when = (services.clock.now() + timedelta(days=14)).astimezone(ZoneInfo("Europe/Amsterdam"))
    ask = shows("meeting.plan.ask_districts", lang)
    wizard = await actors.say(chief, "/bijeenkomst", expect=ask)
    await actors.tap(
        chief, wizard, t("meeting.plan.next_button", lang), shows("meeting.plan.ask_when", lang)
    )
    where = shows("meeting.plan.ask_place", lang)
    await actors.say(chief, f"{when:%d-%m} 18:30", expect=where)
    await actors.say(chief, t("demo.place", lang), expect=shows("meeting.plan.ask_meal", lang))
    until = shows("meeting.plan.ask_deadline", lang)
    deadline = await actors.say(chief, t("demo.meal", lang), expect=until)
    note = shows("meeting.plan.ask_note", lang)
    await actors.tap(chief, deadline, deadline.button_texts[0], note)
    no_note = t("meeting.plan.no_note_button", lang)
    await actors.tap(chief, deadline, no_note, shows("meeting.plan.preview", lang))
    sent = shows("meeting.plan.sent", lang)
    await actors.tap(chief, deadline, t("meeting.plan.send_button", lang), sent)
    return numbered(deadline.text or "")


async def answer(
    actors: Actors, groups: dict[str, Chat], members: dict[str, list[Person]]
) -> None:
    """Key figures press the RSVP buttons in their groups; some give dietary needs."""
    lang = actors.language
    for district, answers in RSVPS.items():
        invitation = await actors.sandbox.next_message(
            groups[district], predicate=shows("meeting.invite.head", lang),
            timeout=TIMEOUT,
        )  # fmt: skip
        for index, (person, code) in enumerate(zip(members[district], answers, strict=False)):
            await person.press(invitation, text=t(f"meeting.rsvp.{code}", lang), timeout=TIMEOUT)
            if code == "no":
                continue
            panel = await actors.wait_private(person, shows("meeting.diet.ask", lang))
            needs = NEEDS.get((district, index))
            if needs is None:
                no_needs = shows("meeting.diet.none_given", lang)
                await actors.tap(person, panel, t("meeting.diet.consent_no", lang), no_needs)
                continue
            consent = t("meeting.diet.consent_yes", lang)
            await actors.tap(person, panel, consent, shows("meeting.diet.panel", lang))
            for need in needs:
                named = t(f"meeting.diet.need.{need}", lang)
                await actors.tap(person, panel, f"▫️ {named}", named)
            done = shows("meeting.diet.done", lang)
            await actors.tap(person, panel, t("meeting.diet.done_button", lang), done)


async def headcount(actors: Actors, chief: Person) -> str:
    """The chief asks for the headcount, as the caterer will want it."""
    lang = actors.language
    listed = await actors.say(chief, "/bijeenkomsten", expect=lambda m: "#" in (m.text or ""))
    await actors.tap(chief, listed, t("meeting.list.headcount_button", lang))
    found = await actors.wait_private(chief, shows("meeting.headcount.head", lang))
    return found.text or ""


def as_json(count: Headcount, text: str) -> dict[str, Any]:
    """The demo --json 'meeting' object: counts only, never a name."""
    c = count.counts
    return {
        "meeting_id": count.meeting_id,
        "invited": count.invited,
        "coming": c.yes,
        "maybe": c.maybe,
        "not_coming": c.no,
        "headcount": c.headcount,
        "dietary": dict(count.dietary),
        "headcount_text": text,
    }
