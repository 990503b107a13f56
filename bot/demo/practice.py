"""The demo's practice check-in ("oefening"): sent, answered, marked, then wiped.

The chief sends a practice check-in to Zuilen through the wizard's 'Oefening' toggle; one key
figure answers; after closing, the coordinator wipes it from the button under the summary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from bot.demo.people import TIMEOUT, Actors, contains, starts
from sandbox.models import Chat, Message
from sandbox.people import Person
from services.container import Services
from storage.models import Answer

EVENT = "Oefening: zo werkt een peiling"
MARK = "🧪 Oefening — telt niet mee"
WIPE = "🗑 Oefendata wissen"


def _shows(message: Message, button: str) -> Callable[[], bool]:
    return lambda: button in message.button_texts


async def practise_and_wipe(
    actors: Actors,
    chief: Person,
    coordinator: Person,
    group: Chat,
    key_figure: Person,
    services: Services,
) -> dict[str, Any]:
    """Send a practice check-in to Zuilen, answer it, close it, wipe it; what each saw."""
    wizard = await actors.say(chief, f"/peiling {EVENT}", expect=contains("Welke wijken"))
    for other in ("Overvecht", "Kanaleneiland"):
        await chief.press(wizard, text=f"✅ {other}", timeout=TIMEOUT)
        await actors.sandbox.wait_for(_shows(wizard, f"▫️ {other}"), timeout=TIMEOUT)
    await actors.tap(chief, wizard, "Verder ➡️", "Hoe lang blijft")
    await actors.tap(chief, wizard, "2 uur", "Mogen de bondgenoten")
    await actors.tap(chief, wizard, "Live tonen", "Voorbeeld")
    await actors.tap(chief, wizard, "🧪 Oefening? Tik om als oefening te versturen", MARK)
    await actors.tap(chief, wizard, "✅ Versturen", "verstuurd naar")
    checkin_id = int((wizard.text or "").split("#", 1)[1].split(" ", 1)[0])
    message = await actors.sandbox.next_message(
        group, predicate=starts(f"📣 Peiling — {EVENT}"), timeout=TIMEOUT
    )
    toast = await key_figure.press(message, text="Rustig", timeout=TIMEOUT)
    await actors.say(chief, f"/sluit {checkin_id}", expect=contains("gesloten"))
    head = f"📊 Samenvatting peiling #{checkin_id}"
    summary = await actors.wait_private(
        coordinator, lambda m: starts(head)(m) and WIPE in m.button_texts
    )
    async with services.uow() as uow:
        stored = await uow.session.scalar(
            select(func.count(Answer.id)).where(Answer.checkin_id == checkin_id)
        )
    await actors.tap(coordinator, summary, WIPE)
    question = await actors.wait_private(coordinator, starts(f"Oefening #{checkin_id} "))
    await actors.tap(coordinator, question, "🗑 Ja, alles wissen", "is gewist")
    async with services.uow() as uow:
        left = await uow.session.scalar(
            select(func.count(Answer.id)).where(Answer.checkin_id == checkin_id)
        )
    return {
        "checkin_id": checkin_id,
        "group_text": message.text or "",
        "answer_confirmation": toast.text or "",
        "summary_text": summary.text or "",
        "answers_stored": int(stored or 0),
        "wipe_text": question.text or "",
        "answers_left_after_wipe": int(left or 0),
    }
