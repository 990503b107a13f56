"""Districts: unique names regardless of case and spaces, overview, rename, archive."""

from __future__ import annotations

from sqlalchemy import select
from world import CORA, World, stranger

from services.container import Services
from services.districts import (
    ArchiveChanged,
    DistrictConfigured,
    DistrictCreated,
    DistrictRenamed,
)
from services.groups import GroupLinked
from services.intake import LinkRevoked
from services.names import name_key
from services.outcomes import (
    DENIED,
    DistrictArchived,
    DistrictExists,
    InvalidName,
    UnknownDistrict,
)
from storage.models import District, Role


async def test_create_trims_collapses_and_audits(services: Services, world: World) -> None:
    created = await services.districts.create_district(CORA, "  Utrecht   Overvecht \n")
    assert created == DistrictCreated("Utrecht Overvecht")
    [district] = await world.rows(select(District))
    assert (district.name, district.name_key) == ("Utrecht Overvecht", "utrecht overvecht")
    [entry] = await world.audit("district.created")
    assert (entry.actor_telegram_id, entry.subject) == (CORA.telegram_user_id, "Utrecht Overvecht")
    assert entry.details == {"district_id": district.id}


async def test_names_are_unique_regardless_of_case_and_spaces(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    for variant in ("overvecht", " OVERVECHT ", "Overvecht\t"):
        assert await services.districts.create_district(CORA, variant) == DistrictExists(
            "Overvecht"
        )
    assert await world.count(District) == 1
    assert name_key("Straße  Oost") == name_key("STRASSE oost")


async def test_name_length_limits(services: Services) -> None:
    assert await services.districts.create_district(CORA, "   ") == InvalidName("empty", 60)
    assert await services.districts.create_district(CORA, "x" * 61) == InvalidName("too_long", 60)
    assert await services.districts.create_district(CORA, "x" * 60) == DistrictCreated("x" * 60)


async def test_overview_shows_group_people_and_chiefs(services: Services, world: World) -> None:
    await world.district("Overvecht")
    await world.district("Kanaleneiland")
    await world.linked_group("Overvecht", -100, "Bondgenoten Overvecht")
    await world.join("Overvecht", 2001, "Fatima")
    await world.join("Overvecht", 2002, "Hasan")
    await world.join("Overvecht", 3001, "Chef Jansen", Role.CHIEF)
    await world.join("Kanaleneiland", 3001, "Chef Jansen", Role.CHIEF)
    await services.group_lifecycle.mark_group_unreachable(-100, "removed")

    rows = await services.districts.list_districts(CORA)
    assert isinstance(rows, list)
    by_name = {row.name: row for row in rows}
    assert [row.name for row in rows] == ["Kanaleneiland", "Overvecht"]
    over = by_name["Overvecht"]
    assert (over.group_linked, over.group_reachable, over.group_title) == (
        True,
        False,
        "Bondgenoten Overvecht",
    )
    assert (over.key_figures, over.chiefs) == (2, ("Chef Jansen",))
    kanaal = by_name["Kanaleneiland"]
    assert (kanaal.group_linked, kanaal.group_reachable, kanaal.key_figures) == (False, False, 0)


async def test_chief_sees_own_districts_key_figure_nothing(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    await world.district("Zuilen")
    chief = await world.join("Overvecht", 3001, "Chef Jansen", Role.CHIEF)
    key_figure = await world.join("Zuilen", 2001, "Fatima")
    rows = await services.districts.list_districts(chief)
    assert isinstance(rows, list) and [r.name for r in rows] == ["Overvecht"]
    assert await services.districts.list_districts(key_figure) == DENIED


async def test_rename_allows_case_change_refuses_clash(services: Services, world: World) -> None:
    await world.district("Overvecht")
    await world.district("Zuilen")
    renamed = await services.districts.rename_district(CORA, "overvecht", "OVERVECHT-Noord")
    assert renamed == DistrictRenamed("Overvecht", "OVERVECHT-Noord")
    again = await services.districts.rename_district(CORA, "overvecht-noord", "Overvecht-Noord")
    assert again == DistrictRenamed("OVERVECHT-Noord", "Overvecht-Noord")
    clash = await services.districts.rename_district(CORA, "Overvecht-Noord", " zuilen ")
    assert clash == DistrictExists("Zuilen")
    [first, _] = await world.audit("district.renamed")
    assert first.details["old"] == "Overvecht" and first.details["new"] == "OVERVECHT-Noord"


async def test_unknown_name_suggests_up_to_three_closest(services: Services, world: World) -> None:
    for name in ("Overvecht", "Overvecht-Noord", "Overvecht-Zuid", "Oog in Al", "Zuilen"):
        await world.district(name)
    outcome = await services.districts.rename_district(CORA, "Overfecht", "X")
    assert isinstance(outcome, UnknownDistrict)
    assert outcome.name == "Overfecht"
    assert outcome.suggestions[0] == "Overvecht"
    assert len(outcome.suggestions) <= 3 and "Zuilen" not in outcome.suggestions


async def test_archive_keeps_history_and_blocks_new_things(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    await world.join("Overvecht", 2001, "Fatima")
    open_token = await world.invite("Overvecht")

    archived = await services.districts.archive_district(CORA, "Overvecht")
    assert archived == ArchiveChanged("Overvecht", True, changed=True, invitations_revoked=1)
    assert (2001, "Overvecht", Role.KEY_FIGURE) in await world.memberships()
    assert await services.intake.open_invitation(open_token, 2002) == LinkRevoked()
    made = await services.invitations.create_invitation(CORA, "Overvecht", Role.KEY_FIGURE)
    assert made == DistrictArchived("Overvecht")
    await services.groups.group_added(-100, "Groep", "group", CORA.telegram_user_id)
    linked = await services.groups.link_group(CORA, -100, "Groep", "Overvecht")
    assert linked == DistrictArchived("Overvecht")
    rows = await services.districts.list_districts(CORA, include_archived=False)
    assert rows == []

    again = await services.districts.archive_district(CORA, "Overvecht")
    assert again == ArchiveChanged("Overvecht", True, changed=False)
    back = await services.districts.unarchive_district(CORA, "Overvecht")
    assert back == ArchiveChanged("Overvecht", False, changed=True)
    relinked = await services.groups.link_group(CORA, -100, "Groep", "Overvecht")
    assert relinked == GroupLinked("Overvecht")
    actions = [e.action for e in await world.audit() if e.action.startswith("district.")]
    assert actions == ["district.created", "district.archived", "district.unarchived"]


async def test_coordinator_configures_private_question_and_tally(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    configure = services.districts.configure_district
    on = await configure(CORA, " overvecht ", ask_privately=True)
    assert on == DistrictConfigured("Overvecht", True, True, changed=True)
    hidden = await configure(CORA, "Overvecht", show_tally=False)
    assert hidden == DistrictConfigured("Overvecht", True, False, changed=True)
    again = await configure(CORA, "OVERVECHT", ask_privately=True)
    assert again == DistrictConfigured("Overvecht", True, False, changed=False)
    [district] = await world.rows(select(District))
    assert (district.ask_privately, district.show_tally) == (True, False)
    rows = await services.districts.list_districts(CORA)
    assert isinstance(rows, list)
    assert (rows[0].ask_privately, rows[0].show_tally) == (True, False)

    # One audit row per change, none for a request that changed nothing.
    first, second = await world.audit("district.configured")
    assert (first.actor_telegram_id, first.subject) == (CORA.telegram_user_id, "Overvecht")
    assert first.details == {
        "district_id": district.id,
        "ask_privately": True,
        "show_tally": True,
        "group_nudge": False,
        "before": {"ask_privately": False, "show_tally": True, "group_nudge": False},
    }
    assert second.details["show_tally"] is False
    assert second.details["before"] == {
        "ask_privately": True,
        "show_tally": True,
        "group_nudge": False,
    }


async def test_only_coordinators_configure_and_nothing_is_revealed(
    services: Services, world: World
) -> None:
    await world.district("Overvecht")
    chief = await world.join("Overvecht", 3001, "Chef Jansen", Role.CHIEF)
    key_figure = await world.join("Overvecht", 2001, "Fatima")
    configure = services.districts.configure_district
    for actor in (chief, key_figure, stranger()):
        # The chief's own district, an unknown one and no name at all read alike.
        for name in ("Overvecht", "Nergenshuizen", ""):
            assert await configure(actor, name, ask_privately=True) == DENIED
            assert await configure(actor, name, show_tally=False) == DENIED
    [district] = await world.rows(select(District))
    assert (district.ask_privately, district.show_tally) == (False, True)
    assert await world.audit("district.configured") == []


async def test_configuring_an_unknown_district_suggests_names(
    services: Services, world: World
) -> None:
    for name in ("Overvecht", "Overvecht-Noord", "Zuilen"):
        await world.district(name)
    outcome = await services.districts.configure_district(CORA, "Overfecht", ask_privately=True)
    assert isinstance(outcome, UnknownDistrict)
    assert outcome.name == "Overfecht" and outcome.suggestions[0] == "Overvecht"
    assert "Zuilen" not in outcome.suggestions
    assert await world.audit("district.configured") == []
