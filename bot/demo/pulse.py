"""The demo's recurring pulse: the chief schedules a monthly mood check and lists it."""

from __future__ import annotations

from typing import Any

from bot.demo.people import Actors
from bot.demo.texts import shows
from sandbox.people import Person
from services.container import Services

SCHEDULE = "/puls maandelijks eerste maandag 10:00 48u Overvecht, Zuilen"


async def schedule_and_list(actors: Actors, chief: Person, services: Services) -> dict[str, Any]:
    """/puls with arguments schedules it; /puls alone lists it with its buttons."""
    scheduled = await actors.say(chief, SCHEDULE, expect=shows("pulse.scheduled", actors.language))
    listed = await actors.say(chief, "/puls", expect=shows("pulse.list.head", actors.language))
    lines = await services.pulses.listing(services.actor(chief.id, "Jan de Vries"))
    assert isinstance(lines, list)
    return {
        "command": SCHEDULE,
        "scheduled_text": scheduled.text or "",
        "list_text": listed.text or "",
        "buttons": listed.button_texts,
        "schedules": len(lines),
        "next_due_at": lines[0].next_due_at.isoformat() if lines else None,
    }
