"""`/peilingen`: open and recent check-ins of one's districts; coordinators see all."""

from __future__ import annotations

from checkin_world import CARLA, CHRIS, KANALENEILAND, OVERVECHT, ZUILEN, Net
from fakes import FakeClock
from world import CORA, stranger

from services.checkins.outcomes import CheckInLine
from services.outcomes import DENIED
from storage.models import CheckInStatus


def _events(lines: object) -> list[str]:
    assert isinstance(lines, list)
    return [line.event for line in lines]


async def test_each_person_sees_the_checkins_of_their_districts(net: Net) -> None:
    both = await net.sent(event="Beide wijken")
    zuilen = await net.sent(actor=CARLA, districts=[ZUILEN], event="Zuilen")
    await net.press(3001, both, 4)
    listing = net.checkins.listing
    assert _events(await listing.list_checkins(CORA)) == ["Zuilen", "Beide wijken"]
    assert _events(await listing.list_checkins(CHRIS)) == ["Beide wijken"]
    assert _events(await listing.list_checkins(CARLA)) == ["Zuilen"]
    mine = await listing.list_checkins(stranger(3001, "Fatima"))
    assert isinstance(mine, list)
    [line] = mine
    assert line.checkin_id == both and line.own_code == 4
    assert line.districts == (OVERVECHT,)  # only the districts the key figure may see
    assert (line.responded, line.key_figures) == (1, 4)
    everything = await listing.list_checkins(CORA)
    assert isinstance(everything, list)
    line = everything[1]
    assert line.districts == (KANALENEILAND, OVERVECHT) and line.key_figures == 7
    assert line.status is CheckInStatus.OPEN and line.own_code is None
    assert zuilen == everything[0].checkin_id
    assert await listing.list_checkins(stranger()) == DENIED


async def test_old_closed_checkins_drop_off_but_open_ones_stay(net: Net, clock: FakeClock) -> None:
    old = await net.sent(event="Oud", hours=24)
    await net.checkins.closing.close_checkin(old, CHRIS)
    await net.sent(event="Lang open", hours=24 * 7)
    clock.advance(days=6)
    await net.sent(event="Nieuw")
    assert _events(await net.checkins.listing.list_checkins(CHRIS)) == [
        "Nieuw",
        "Lang open",
        "Oud",
    ]
    clock.advance(days=25)
    lines = await net.checkins.listing.list_checkins(CHRIS)
    assert _events(lines) == ["Nieuw", "Lang open"]
    assert isinstance(lines, list) and all(isinstance(x, CheckInLine) for x in lines)
