"""The demo's practice check-in ("oefening"): sent, answered, marked, then wiped.

The chief sends a practice check-in to Zuilen through the wizard's 'Oefening' toggle; one key
figure answers; after closing, the coordinator wipes it from the button under the summary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from bot.demo.people import TIMEOUT, Actors
from bot.demo.texts import numbered, shows
from handlers.common import label
from handlers.i18n import t
from sandbox.models import Chat, Message
from sandbox.people import Person
from services.container import Services
from storage.models import Answer


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
    lang = actors.language
    event = t("demo.practice_event", lang)
    wizard = await actors.say(
        chief, f"/peiling {event}", expect=shows("peiling.ask_districts", lang)
    )
    for other in ("Overvecht", "Kanaleneiland"):
        on = label("peiling.button.district_on", lang, district=other)
        await chief.press(wizard, text=on, timeout=TIMEOUT)
        off = label("peiling.button.district_off", lang, district=other)
        await actors.sandbox.wait_for(_shows(wizard, off), timeout=TIMEOUT)
    steps = (
        ("peiling.button.next", "peiling.ask_duration"),
        ("peiling.duration.2h", "peiling.ask_tally"),
        ("peiling.button.tally_show", "peiling.preview.head"),
        ("practice.button.off", "practice.mark"),
        ("peiling.button.send", "peiling.sent"),
    )
    for pressed, shown in steps:
        await actors.tap(chief, wizard, t(pressed, lang), shows(shown, lang))
    checkin_id = numbered(wizard.text or "")
    message = await actors.sandbox.next_message(
        group, predicate=shows("checkin.message.head", lang), timeout=TIMEOUT
    )
    toast = await key_figure.press(message, text=t("scale.1", lang), timeout=TIMEOUT)
    await actors.say(chief, f"/sluit {checkin_id}", expect=shows("sluit.closed", lang))
    wipe = t("practice.button.wipe", lang)
    head = shows("checkin.summary.head", lang)
    summary = await actors.wait_private(
        coordinator,
        lambda m: head(m) and wipe in m.button_texts and numbered(m.text or "") == checkin_id,
    )
    async with services.uow() as uow:
        stored = await uow.session.scalar(
            select(func.count(Answer.id)).where(Answer.checkin_id == checkin_id)
        )
    await actors.tap(coordinator, summary, wipe)
    question = await actors.wait_private(coordinator, shows("practice.wipe.ask", lang))
    await actors.tap(
        coordinator, question, t("practice.button.wipe_confirm", lang),
        shows("practice.wipe.done", lang),
    )  # fmt: skip
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
