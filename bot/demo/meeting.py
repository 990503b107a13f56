"""The demo's meeting: after the check-in the chief invites the districts to a meal, key
figures answer with the RSVP buttons, give dietary needs privately, the chief counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo.people import TIMEOUT, Actors, contains, starts
from sandbox.models import Chat
from sandbox.people import Person
from services.container import Services
from services.meetings.views import Headcount

PLACE = "Politiebureau Overvecht"
MEAL = "Marokkaanse maaltijd, bereid door stichting Al Amal"
# Per district, what its first key figures press (the rest do not answer).
RSVPS = {
    "Overvecht": ("Ik kom", "Ik kom", "Misschien", "Ik kan niet", "Ik kom"),
    "Kanaleneiland": ("Ik kom", "Misschien", "Ik kan niet"),
    "Zuilen": ("Ik kom",),
}
# Dietary needs given privately by who said they would (maybe) come, by (district, index).
NEEDS = {
    ("Overvecht", 0): ("▫️ Halal",),
    ("Overvecht", 1): ("▫️ Vegetarisch", "▫️ Notenallergie"),
    ("Kanaleneiland", 0): ("▫️ Halal", "▫️ Glutenvrij"),
}


async def plan_meeting(actors: Actors, chief: Person, services: Services) -> int:
    """The chief plans a meal for all three districts in two weeks through /bijeenkomst."""
    when = (services.clock.now() + timedelta(days=14)).astimezone(ZoneInfo("Europe/Amsterdam"))
    wizard = await actors.say(chief, "/bijeenkomst", expect=contains("Welke wijken"))
    await actors.tap(chief, wizard, "Verder ➡️", "Wanneer is")
    await actors.say(chief, f"{when:%d-%m} 18:30", expect=contains("Waar is het"))
    await actors.say(chief, PLACE, expect=contains("Wat eten we"))
    deadline = await actors.say(chief, MEAL, expect=contains("Tot wanneer"))
    await actors.tap(chief, deadline, deadline.button_texts[0], "Wil je er nog iets")
    await actors.tap(chief, deadline, "Geen notitie", "Voorbeeld")
    await actors.tap(chief, deadline, "✅ Versturen", "is verstuurd naar")
    return int((deadline.text or "").split("#", 1)[1].split(" ", 1)[0])


async def answer(
    actors: Actors, groups: dict[str, Chat], members: dict[str, list[Person]]
) -> None:
    """Key figures press the RSVP buttons in their groups; some give dietary needs."""
    for district, answers in RSVPS.items():
        invitation = await actors.sandbox.next_message(
            groups[district], predicate=starts("🍽 Bijeenkomst"), timeout=TIMEOUT
        )
        for index, (person, label) in enumerate(zip(members[district], answers, strict=False)):
            await person.press(invitation, text=label, timeout=TIMEOUT)
            if label == "Ik kan niet":
                continue
            panel = await actors.wait_private(person, starts("🍽 Eten bij de bijeenkomst"))
            needs = NEEDS.get((district, index))
            if needs is None:
                await actors.tap(person, panel, "Geen wensen", "geen dieetwensen")
                continue
            await actors.tap(person, panel, "Ja, wensen opgeven", "Tik om een wens")
            for need in needs:
                await actors.tap(person, panel, need, need.removeprefix("▫️ "))
            await actors.tap(person, panel, "Klaar", "genoteerd voor de maaltijd")


async def headcount(actors: Actors, chief: Person) -> str:
    """The chief asks for the headcount, as the caterer will want it."""
    listed = await actors.say(chief, "/bijeenkomsten", expect=contains("#"))
    await actors.tap(chief, listed, "📋 Telling")
    found = await actors.wait_private(chief, starts("📋 Telling bijeenkomst"))
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
