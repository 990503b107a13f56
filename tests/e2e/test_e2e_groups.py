"""Groups end to end: linking with /koppel, replacing, unlinked groups left, migration, kicks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import AnyApp, build_application
from bot.runner import running
from bot.settings import Settings
from sandbox import Sandbox
from sandbox.models import BotAccount, Chat, Message
from sandbox.people import Person
from services.container import Services
from storage.models import Chat as ChatRow
from storage.models import ChatStatus, District
from storage.models import Person as PersonRow

LINK_HINT = "Koppel deze groep aan een wijk met /koppel <wijk>."


class FakeClock:
    """A clock the test moves forward by hand."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        """Return the current fake time."""
        return self.at

    def advance(self, delta: timedelta) -> None:
        """Move the time forward."""
        self.at += delta


@pytest.fixture
async def clock() -> FakeClock:
    """The time as the bot sees it in the grace-period test."""
    return FakeClock()


@pytest.fixture
async def clock_app(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[AnyApp]:
    """The real bot on a fake clock, sweeping for unlinked groups five times a second."""
    application = build_application(make_settings(), clock=clock, sweep_interval=0.2)
    async with running(application, poll_timeout=1):
        yield application


def services_of(app: AnyApp) -> Services:
    services = app.bot_data.services
    assert services is not None
    return services


async def begin(sandbox: Sandbox, person: Person, bot: BotAccount) -> Chat:
    """Press Start and wait for the welcome; return the private chat."""
    started = await person.start(bot)
    await sandbox.next_message(started.chat, after=started, timeout=5)
    return started.chat


async def say(sandbox: Sandbox, person: Person, where: BotAccount | Chat, text: str) -> Message:
    """Send text (privately to the bot, or in a group) and return the bot's next reply."""
    sent = await person.send(where, text)
    return await sandbox.next_message(sent.chat, after=sent, timeout=5)


async def linked_group(
    sandbox: Sandbox, coordinator: Person, bot: BotAccount, title: str, district: str
) -> Chat:
    """Create a group with the bot in it and link it to a district."""
    group = await coordinator.create_group(title, bots=[bot])
    hello = await sandbox.next_message(group, timeout=5)
    assert hello.text is not None and hello.text.startswith("Hallo! " + LINK_HINT)
    reply = await say(sandbox, coordinator, group, f"/koppel {district}")
    assert reply.text is not None
    assert reply.text.startswith(f"Deze groep is nu gekoppeld aan wijk {district}.")
    return group


async def chats(app: AnyApp) -> dict[int, tuple[ChatStatus, str | None, int | None]]:
    """Every stored group: chat id → (status, district name, migrated to)."""
    async with services_of(app).uow() as uow:
        rows = await uow.session.execute(
            select(ChatRow, District.name).outerjoin(District, District.id == ChatRow.district_id)
        )
        return {
            chat.telegram_chat_id: (chat.status, name, chat.migrated_to_chat_id)
            for chat, name in rows
        }


def texts(sandbox: Sandbox, chat: Chat, bot: BotAccount) -> list[str]:
    return [m.text or "" for m in sandbox.sent(chat, bot)]


async def test_coordinator_links_two_groups_and_replaces_one_after_confirming(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    private = await begin(sandbox, coordinator, tg_bot)
    await say(sandbox, coordinator, tg_bot, "/wijk Overvecht")
    await say(sandbox, coordinator, tg_bot, "/wijk Kanaleneiland")
    old = await linked_group(sandbox, coordinator, tg_bot, "Overvecht oud", "Overvecht")
    kanaleneiland = await linked_group(
        sandbox, coordinator, tg_bot, "Kanaleneiland", "Kanaleneiland"
    )
    reply = await say(sandbox, coordinator, kanaleneiland, "/koppel Kanaleneiland")
    assert reply.text == "Deze groep hoort al bij wijk Kanaleneiland."

    member = sandbox.add_person("Mo", language_code="nl")
    new = await coordinator.create_group("Overvecht nieuw", members=[member], bots=[tg_bot])
    await sandbox.next_message(new, timeout=5)
    reply = await say(sandbox, member, new, "/koppel Overvecht")
    assert reply.text == "Alleen een coördinator kan deze groep aan een wijk koppelen."
    reply = await say(sandbox, coordinator, new, "/koppel Overvecht-Zuid")
    assert reply.text == "Ik ken geen wijk ‘Overvecht-Zuid’. Bedoel je: Overvecht?"

    question = await say(sandbox, coordinator, new, "/koppel overvecht")
    assert question.text == (
        "Wijk Overvecht heeft al een groep: Overvecht oud. Wil je die vervangen door deze "
        "groep? Dan verlaat ik de oude groep."
    )
    assert [b["text"] for b in question.buttons] == ["Ja, vervang", "Nee"]
    # Only a coordinator's press counts; forged data gets a short answer; nothing changes.
    answer = await member.press(question, text="Ja, vervang")
    assert answer.text == "Alleen een coördinator kan dit kiezen." and answer.show_alert
    answer = await member.press(question, text="Nee")
    assert answer.text == "Alleen een coördinator kan dit kiezen."
    for forged in ("kop:2", "kop:1:9", "kop"):
        query = await coordinator.forge_press(question, forged)
        answered = await query.answered
        assert answered.text is not None and answered.text.startswith("Deze knop werkt niet")
    assert (question.text or "").startswith("Wijk Overvecht heeft al een groep")
    answer = await coordinator.press(question, text="Nee")
    assert answer.text == "Oké."
    await sandbox.wait_for(lambda: (question.text or "").startswith("Oké, niets veranderd"))
    assert question.text == "Oké, niets veranderd: wijk overvecht houdt de groep die hij al had."
    assert (await chats(app))[old.id][:2] == (ChatStatus.LINKED, "Overvecht")

    question = await say(sandbox, coordinator, new, "/koppel Overvecht")
    answer = await coordinator.press(question, text="Ja, vervang")
    assert answer.text == "Gekoppeld."
    await sandbox.wait_for(lambda: (question.text or "").startswith("Deze groep is nu gekoppeld"))
    assert (question.text or "").startswith("Deze groep is nu gekoppeld aan wijk Overvecht.")
    assert question.keyboard == []
    # The old group hears why and is left.
    await sandbox.wait_for(lambda: old.status_of(tg_bot.id) == "left")
    assert texts(sandbox, old, tg_bot)[-1] == (
        "Wijk Overvecht heeft voortaan een andere groep, dus ik vertrek hier. Bedankt voor "
        "jullie inzet!"
    )

    listing = await say(sandbox, coordinator, tg_bot, "/wijken")
    assert "Overvecht\nGroep: Overvecht nieuw ✅" in (listing.text or "")
    assert "Kanaleneiland\nGroep: Kanaleneiland ✅" in (listing.text or "")
    stored = await chats(app)
    assert stored[new.id][:2] == (ChatStatus.LINKED, "Overvecht")
    assert stored[old.id][:2] == (ChatStatus.LEFT, None)
    assert stored[kanaleneiland.id][:2] == (ChatStatus.LINKED, "Kanaleneiland")
    # Leaving on purpose is not losing a group: the coordinator got no warning.
    assert not any("niet meer bereiken" in text for text in texts(sandbox, private, tg_bot))


async def known(app: AnyApp, person: Person) -> None:
    """Make a person known to the network (as a key figure's intake would)."""
    async with services_of(app).uow() as uow:
        uow.session.add(
            PersonRow(
                telegram_user_id=person.id,
                display_name=person.first_name,
                created_at=datetime.now(UTC),
            )
        )
        await uow.commit()


async def test_a_group_a_stranger_adds_is_left_at_once_without_a_word(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    stranger = sandbox.add_person("Sjaak", language_code="nl")
    group = await stranger.create_group("Buurtapp Zonnebloem", bots=[tg_bot])

    await sandbox.wait_for(lambda: group.status_of(tg_bot.id) == "left")

    assert texts(sandbox, group, tg_bot) == []
    assert group.id not in await chats(app)
    # A coordinator who adds it again is welcome: the bot stays and explains itself.
    group = await coordinator.create_group("Buurtapp Zonnebloem 2", bots=[tg_bot])
    hello = await sandbox.next_message(group, timeout=5)
    assert hello.text is not None and hello.text.startswith("Hallo! " + LINK_HINT)


async def test_group_nobody_links_is_left_after_the_grace_period(
    clock_app: AnyApp,
    clock: FakeClock,
    sandbox: Sandbox,
    tg_bot: BotAccount,
    coordinator: Person,
) -> None:
    private = await begin(sandbox, coordinator, tg_bot)
    member = sandbox.add_person("Sjaak", language_code="nl")
    await known(clock_app, member)
    group = await member.create_group("Buurtapp Zonnebloem", bots=[tg_bot])
    reply = await say(sandbox, member, group, "/koppel Overvecht")
    assert reply.text == "Alleen een coördinator kan deze groep aan een wijk koppelen."
    # Until a coordinator links it, the bot said nothing else there: no greeting.
    assert texts(sandbox, group, tg_bot) == [reply.text]
    assert (await chats(clock_app))[group.id][0] is ChatStatus.PENDING

    clock.advance(timedelta(minutes=11))
    told = await sandbox.next_message(private, timeout=5)
    assert told.text == (
        f"Ik heb de groep Buurtapp Zonnebloem (id {group.id}) verlaten: niemand koppelde hem "
        "binnen 10 min. aan een wijk. Hoort die groep wel bij een wijk? Voeg mij opnieuw toe en "
        "typ daar meteen /koppel <wijk>."
    )
    await sandbox.wait_for(lambda: group.status_of(tg_bot.id) == "left")
    # Left as silently as it came: a group hears the bot only once a coordinator brought it.
    assert texts(sandbox, group, tg_bot) == [reply.text]
    assert (await chats(clock_app))[group.id] == (ChatStatus.LEFT, None, None)


async def test_district_keeps_working_after_its_group_becomes_a_supergroup(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    await begin(sandbox, coordinator, tg_bot)
    await say(sandbox, coordinator, tg_bot, "/wijk Overvecht")
    group = await linked_group(sandbox, coordinator, tg_bot, "Overvecht", "Overvecht")

    supergroup = await coordinator.migrate(group)
    # Updates are handled in order: this answer comes after both migration messages.
    reply = await say(sandbox, coordinator, supergroup, "/koppel Overvecht")
    assert reply.text == "Deze groep hoort al bij wijk Overvecht."
    assert "Groep: Overvecht ✅" in (
        (await say(sandbox, coordinator, tg_bot, "/wijken")).text or ""
    )
    assert await chats(app) == {
        group.id: (ChatStatus.MIGRATED, None, supergroup.id),
        supergroup.id: (ChatStatus.LINKED, "Overvecht", None),
    }


async def test_kicked_bot_marks_the_district_unreachable_and_tells_the_coordinator_once(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    private = await begin(sandbox, coordinator, tg_bot)
    await say(sandbox, coordinator, tg_bot, "/wijk Overvecht")
    group = await linked_group(sandbox, coordinator, tg_bot, "Overvecht bondgenoten", "Overvecht")

    await coordinator.remove_bot(group, tg_bot)
    told = await sandbox.next_message(private, timeout=5)
    assert told.text is not None and told.text.startswith(
        f"⚠️ Ik kan de groep van wijk Overvecht (Overvecht bondgenoten, id {group.id}) niet "
        "meer bereiken"
    )
    listing = await say(sandbox, coordinator, tg_bot, "/wijken")
    assert "Groep: Overvecht bondgenoten ⚠️ niet bereikbaar" in (listing.text or "")
    assert (await chats(app))[group.id][:2] == (ChatStatus.UNREACHABLE, "Overvecht")
    warnings = [t for t in texts(sandbox, private, tg_bot) if "niet meer bereiken" in t]
    assert len(warnings) == 1

    # Added again: the group and the coordinator hear that it works again.
    await coordinator.add_bot(group, tg_bot)
    back = await sandbox.next_message(group, timeout=5)
    assert back.text == "Fijn, ik ben er weer. Deze groep hoort bij wijk Overvecht."
    # Sent before the group's message, so it is there already.
    told = await sandbox.next_message(
        private, after=listing, predicate=lambda m: "weer in de groep" in (m.text or "")
    )
    assert told.text == (
        "Goed nieuws: ik zit weer in de groep van wijk Overvecht (Overvecht bondgenoten)."
    )
    assert (await chats(app))[group.id][:2] == (ChatStatus.LINKED, "Overvecht")


async def test_a_403_in_a_group_marks_it_unreachable_and_a_later_kick_tells_nobody_again(
    app: AnyApp, sandbox: Sandbox, tg_bot: BotAccount, coordinator: Person
) -> None:
    private = await begin(sandbox, coordinator, tg_bot)
    await say(sandbox, coordinator, tg_bot, "/wijk Zuilen")
    group = await linked_group(sandbox, coordinator, tg_bot, "Zuilen samen", "Zuilen")

    sandbox.inject_fault(
        "sendMessage", error_code=403, description="Forbidden: bot was kicked", chat_id=group.id
    )
    await coordinator.send(group, "/koppel Zuilen")
    told = await sandbox.next_message(private, timeout=5)
    assert (told.text or "").startswith("⚠️ Ik kan de groep van wijk Zuilen (Zuilen samen")
    assert (await chats(app))[group.id][:2] == (ChatStatus.UNREACHABLE, "Zuilen")

    await coordinator.remove_bot(group, tg_bot)
    await say(sandbox, coordinator, tg_bot, "/wijken")  # handled after the removal
    assert [t for t in texts(sandbox, private, tg_bot) if "niet meer bereiken" in t] == [told.text]
