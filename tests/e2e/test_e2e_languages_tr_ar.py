"""A Turkish and an Arabic key figure in a Dutch district group (issue 16), end to end.

Both join through an invitation and read the agreement and the welcome in their own language
(taken from Telegram's language_code), answer the group's Dutch check-in with one press, get
the confirmation and the follow-up privately in their own language, tell where the mood is
heading and what it is about, and change language with /taal. Arabic values sit between
Unicode isolates, so a Latin name or a time keeps its place in a right-to-left sentence.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import AnyApp
from bot.demo.texts import capital, shows
from handlers.i18n import t
from sandbox import Sandbox
from sandbox.models import BotAccount, Chat, Message
from sandbox.people import Person
from storage.models import Direction, FollowUp
from storage.models import Person as PersonRow
from tests.e2e.e2e_world import LINK, TIMEOUT, ask, build_network, next_in, services_of, tap
from tests.e2e.idle import idle
from tests.e2e.test_e2e_peiling import start_checkin

pytestmark = pytest.mark.e2e

FSI = "\u2068"  # first strong isolate


async def join(
    sandbox: Sandbox, bot: BotAccount, coordinator: Person, person: Person, lang: str
) -> None:
    """Invited by the (Dutch) coordinator; the agreement and the welcome in the person's
    own language."""
    made = await ask(
        sandbox,
        coordinator,
        bot,
        "/uitnodigen Overvecht bondgenoot",
        lambda m: LINK.search(m.text or "") is not None,
    )
    found = LINK.search(made.text or "")
    assert found is not None
    started = await person.start(bot, found.group(1))
    agreement = await sandbox.next_message(started.chat, after=started, timeout=TIMEOUT)
    await person.press(agreement, text=t("intake.button.join", lang))
    await sandbox.next_message(
        started.chat,
        after=agreement,
        predicate=shows("intake.welcome.bondgenoot", lang),
        timeout=TIMEOUT,
    )


async def private_with(sandbox: Sandbox, chat: Chat, text: str) -> Message:
    """The next bot message in a private chat that holds this text."""

    def has(message: Message) -> bool:
        return text in (message.text or "")

    return await sandbox.next_message(chat, predicate=has, timeout=TIMEOUT)


async def stored_language(app: AnyApp, person: Person) -> str | None:
    async with services_of(app).uow() as uow:
        return await uow.session.scalar(
            select(PersonRow.language).where(PersonRow.telegram_user_id == person.id)
        )


async def follow_up_of(app: AnyApp, person: Person) -> tuple[Direction | None, list[str]]:
    async with services_of(app).uow() as uow:
        found = await uow.session.scalar(
            select(FollowUp)
            .join(PersonRow, PersonRow.id == FollowUp.person_id)
            .where(PersonRow.telegram_user_id == person.id)
        )
        assert found is not None
        return found.direction, list(found.themes)


async def test_a_turkish_and_an_arabic_key_figure_answer_follow_up_and_change_language(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    net = await build_network(sandbox, tg_bot, coordinator, {"Overvecht": 1})
    district = net["Overvecht"]
    chief = district.chief
    assert chief is not None
    ayse = sandbox.add_person("Ayşe", "Yılmaz", language_code="tr")
    karim = sandbox.add_person("Karim", "Haddad", language_code="ar-MA")
    for person, lang in ((ayse, "tr"), (karim, "ar")):
        await person.join(district.group, invited_by=coordinator)
        await join(sandbox, tg_bot, coordinator, person, lang)
        assert await stored_language(app, person) == lang

    # The chief asks in Dutch; the group reads Dutch (its district's language).
    await start_checkin(sandbox, tg_bot, chief)
    message = await next_in(sandbox, district.group, "📣 Peiling")

    for person, lang, level in ((ayse, "tr", "3"), (karim, "ar", "1")):
        toast = await tap(sandbox, person, message, t(f"scale.{level}", "nl"))
        # The confirmation in their language, up to the time it can be changed until.
        recorded = t("answer.recorded", lang, label=t(f"scale.{level}", lang), until="\0")
        assert (toast.text or "").startswith(recorded.split("\0")[0]), toast.text
        # In Arabic the filled-in label and time sit between isolates, so they keep their
        # place in the right-to-left sentence.
        assert (FSI in (toast.text or "")) == (lang == "ar")
        # The follow-up panel, privately, in their language: where is it heading, and what
        # about? Each press is stored.
        intro = t("followup.intro", lang)
        panel = await private_with(sandbox, person.chat_with(tg_bot), intro)
        await tap(sandbox, person, panel, capital(t("direction.rising", lang)))
        await tap(sandbox, person, panel, capital(t("theme.polarisatie", lang)))
    await idle(app, sandbox, tg_bot)
    for person in (ayse, karim):
        assert await follow_up_of(app, person) == (Direction.RISING, ["polarisatie"])

    # /taal: Ayşe chooses Arabic, Karim Turkish; each confirmation in the new language.
    for person, was, new, name in ((ayse, "tr", "ar", "العربية"), (karim, "ar", "tr", "Türkçe")):
        asked = await ask(sandbox, person, tg_bot, "/taal")
        assert (asked.text or "").startswith(t("language.choose", was))
        assert name in asked.button_texts
        await tap(sandbox, person, asked, name, t("language.chosen", new))
        assert await stored_language(app, person) == new
    helped = await ask(sandbox, karim, tg_bot, "/help")
    assert t("command.taal", "tr") in (helped.text or "")
