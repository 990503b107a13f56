"""Each person's own language and each district group's (issue 16)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from fakes import FakeNotifier
from sqlalchemy import select
from world import CORA, World

from handlers.language import settle
from services.container import Services
from services.languages import (
    GroupLanguageSet,
    GroupNotLinked,
    NotCoordinator,
    from_telegram,
)
from services.outcomes import Denied, UnknownDistrict
from storage.models import District, Person, Role

AVAILABLE = ("nl", "en")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("EN_us", "en"),
        ("nl-BE", "nl"),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_telegram_language_codes_map_to_the_bot_languages(
    code: str | None, expected: str | None
) -> None:
    assert from_telegram(code, AVAILABLE) == expected


async def stored_language(services: Services, telegram_user_id: int) -> str | None:
    async with services.uow() as uow:
        return await uow.session.scalar(
            select(Person.language).where(Person.telegram_user_id == telegram_user_id)
        )


async def test_first_contact_takes_telegram_language_when_the_bot_has_it(
    services: Services,
) -> None:
    languages = services.languages
    await languages.load()
    # The coordinators from the config are stored without a language until they write.
    assert not languages.knows(1001) and not languages.knows(1002)
    assert await languages.first_contact(1001, "en-GB") == "en"
    assert await languages.first_contact(1002, "fr") == "nl"
    assert await stored_language(services, 1001) == "en"
    assert await stored_language(services, 1002) is None  # the configured default
    assert (languages.of(1001), languages.of(1002)) == ("en", "nl")
    # A stranger is not stored, only remembered.
    assert await languages.first_contact(9999, "en") == "en"
    assert languages.of(9999) == "en"
    async with services.uow() as uow:
        assert (
            await uow.session.scalar(select(Person).where(Person.telegram_user_id == 9999)) is None
        )


async def test_a_stored_choice_outlasts_telegram_and_a_restart(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Fatima")
    await services.languages.choose(2001, "en")
    # After a restart the map is loaded from the database; Telegram's code does not override.
    fresh = type(services.languages)(services.deps, "nl", AVAILABLE)
    await fresh.load()
    assert fresh.knows(2001) and fresh.of(2001) == "en"
    again = type(services.languages)(services.deps, "nl", AVAILABLE)
    assert await again.first_contact(2001, "nl") == "en"
    assert await stored_language(services, 2001) == "en"


async def test_choosing_stores_it_and_sets_the_menu_in_the_new_language(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Fatima")
    notifier.clear()
    assert await services.languages.choose(2001, "en")
    assert await stored_language(services, 2001) == "en"
    assert services.languages.of(2001) == "en"
    assert notifier.menu_languages[2001] == "en"
    assert "taal" in notifier.menus[2001]
    # After erasure the language is no longer held; the next contact settles it anew.
    services.languages.forget(2001)
    assert not services.languages.knows(2001)
    await services.languages.choose(2001, "en")
    # A language the bot does not have changes nothing.
    assert not await services.languages.choose(2001, "xx")
    assert services.languages.of(2001) == "en"
    # A stranger's choice is kept in memory and their menu set in it.
    assert await services.languages.choose(9999, "en")
    assert services.languages.of(9999) == "en"
    assert notifier.menu_languages[9999] == "en"


async def test_private_notices_go_out_in_each_persons_language(
    services: Services, world: World, notifier: FakeNotifier
) -> None:
    await services.languages.choose(CORA.telegram_user_id, "en")
    await world.district("Overvecht")
    notifier.clear()
    await world.join("Overvecht", 2001, "Fatima")
    told = [
        lang
        for (chat, key, _), lang in zip(notifier.transcript, notifier.languages, strict=True)
        if chat == CORA.telegram_user_id and key == "invitation.accepted"
    ]
    assert told == ["en"]


async def test_a_coordinator_sets_the_language_of_a_district_group(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    await world.linked_group("Overvecht", -1001, "Bondgenoten Overvecht")
    languages = services.languages
    assert await languages.set_group(-1001, 2001, False, "en") == NotCoordinator()
    assert await languages.set_group(-1002, 1001, True, "en") == GroupNotLinked()
    assert await languages.set_group(-1001, 1001, True, "en") == GroupLanguageSet(
        "Overvecht", "en"
    )
    async with services.uow() as uow:
        district = await uow.session.scalar(select(District))
        assert district is not None and district.language == "en"
    [entry] = await world.audit("district.language")
    assert (entry.actor_telegram_id, entry.subject) == (1001, "Overvecht")


async def test_a_coordinator_sets_a_district_groups_language_from_the_private_chat(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Jan", Role.CHIEF)
    chief = services.actor(2001, "Jan")
    languages = services.languages
    assert isinstance(await languages.set_district(chief, "Overvecht", "en"), Denied)
    unknown = await languages.set_district(CORA, "Overvecht-Noord", "en")
    assert isinstance(unknown, UnknownDistrict)
    done = await languages.set_district(CORA, "overvecht", "en")
    assert done == GroupLanguageSet("Overvecht", "en")
    async with services.uow() as uow:
        assert await uow.session.scalar(select(District.language)) == "en"


class _NoDatabase:
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the press path asked the database")

    read_only = __call__


async def test_the_press_path_reads_the_language_from_memory(
    services: Services, world: World
) -> None:
    """Every update (an answer press most of all) passes `settle`: no query for the known."""
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Fatima")
    await services.languages.choose(2001, "en")
    await services.languages.load()
    services.languages._deps = SimpleNamespace(uow=_NoDatabase())  # type: ignore[assignment]
    update: Any = SimpleNamespace(
        effective_user=SimpleNamespace(id=2001, is_bot=False, language_code="nl")
    )
    for _ in range(3):
        await settle(services.languages, update)
    assert services.languages.of(2001) == "en"


class _DatabaseAway:
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise OSError("connection refused")


async def test_a_first_contact_while_the_database_is_away_is_settled_later(
    services: Services,
) -> None:
    languages = services.languages
    deps = languages._deps
    languages._deps = SimpleNamespace(uow=_DatabaseAway())  # type: ignore[assignment]
    update: Any = SimpleNamespace(
        effective_user=SimpleNamespace(id=1001, is_bot=False, language_code="en")
    )
    await settle(languages, update)
    assert not languages.knows(1001) and languages.of(1001) == "nl"
    languages._deps = deps
    await settle(languages, update)
    assert languages.of(1001) == "en"
    assert await stored_language(services, 1001) == "en"
