"""Flood limits: per group, per private chat, overall; retry_after; the wall-time bound."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from sandbox import BotAccount, FloodLimits, Sandbox, Window, min_wall_time
from sandbox.limits import FloodLimiter

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api


class FakeClock:
    """A controllable monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_limits_are_off_by_default(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot])
    for i in range(40):
        await api.ok("sendMessage", chat_id=group.id, text=f"m{i}")


async def test_group_burst_gets_429_after_20_per_minute(sb: Sandbox, api: Api, bot) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot])
    sb.set_flood_limits(True)
    statuses = []
    for i in range(30):
        status, body = await api("sendMessage", chat_id=group.id, text=f"m{i}")
        statuses.append(status)
    assert statuses == [200] * 20 + [429] * 10
    assert body["error_code"] == 429
    retry = body["parameters"]["retry_after"]
    assert isinstance(retry, int) and 55 <= retry <= 60
    assert body["description"] == f"Too Many Requests: retry after {retry}"
    assert len(sb.sent(group)) == 20
    assert len(sb.calls("sendMessage", ok=False)) == 10


async def test_edits_count_toward_the_limit(sb: Sandbox, api: Api, bot) -> None:
    owner = sb.add_person("Owner")
    group = await owner.create_group("G", bots=[bot])
    with sb.flood_limits():
        sent = await api.ok("sendMessage", chat_id=group.id, text="v0")
        for i in range(19):
            await api.ok(
                "editMessageText",
                chat_id=group.id,
                message_id=sent["message_id"],
                text=f"v{i + 1}",
            )
        status, body = await api("sendMessage", chat_id=group.id, text="one too many")
        assert status == 429 and body["parameters"]["retry_after"] >= 59
        status, _ = await api(
            "editMessageText", chat_id=group.id, message_id=sent["message_id"], text="late edit"
        )
        assert status == 429
    assert sb.limiter.enabled is False
    assert (await api("sendMessage", chat_id=group.id, text="limits off again"))[0] == 200


async def test_overall_limit_of_30_per_second(sb: Sandbox, api: Api, bot) -> None:
    people = [sb.add_person(f"P{i}") for i in range(31)]
    for person in people:
        await person.start(bot)
    clock = FakeClock()
    sb.set_flood_limits(True)
    sb.limiter.clock = clock
    for person in people[:30]:
        await api.ok("sendMessage", chat_id=person.id, text="news")
    status, body = await api("sendMessage", chat_id=people[30].id, text="news")
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    clock.now += 1.01
    assert (await api("sendMessage", chat_id=people[30].id, text="news"))[0] == 200


async def test_private_chat_allows_a_short_burst_then_one_per_second(
    sb: Sandbox, api: Api, bot
) -> None:
    alice = sb.add_person("Alice")
    await alice.start(bot)
    clock = FakeClock()
    sb.set_flood_limits(True)
    sb.limiter.clock = clock
    for _ in range(3):
        await api.ok("sendMessage", chat_id=alice.id, text="burst")
    status, body = await api("sendMessage", chat_id=alice.id, text="too fast")
    assert (status, body["parameters"]["retry_after"]) == (429, 3)
    clock.now += 1.0
    status, body = await api("sendMessage", chat_id=alice.id, text="still fast")
    assert (status, body["parameters"]["retry_after"]) == (429, 2)
    clock.now += 2.0
    assert (await api("sendMessage", chat_id=alice.id, text="ok now"))[0] == 200


def test_sliding_window_retry_after_counts_from_the_oldest_send() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(group=Window(2, 10.0)), enabled=True, clock=clock)
    limiter.check(1, -5)
    clock.now += 4
    limiter.check(1, -5)
    clock.now += 1
    with pytest.raises(Exception) as info:
        limiter.check(1, -5)
    assert getattr(info.value, "parameters", None) == {"retry_after": 5}
    clock.now += 5
    limiter.check(1, -5)
    limiter.check(2, -5)  # limits are per bot


def test_min_wall_time() -> None:
    assert min_wall_time({}) == 0
    assert min_wall_time({-1: 20}) == 0
    assert min_wall_time({-1: 21}) == 60
    assert min_wall_time({-1: 41, -2: 5}) == 120
    assert min_wall_time({7: 3}) == 0 and min_wall_time({7: 10}) == 9
    groups = {-(i + 1): 7 for i in range(300)}  # 2,100 messages to 300 groups
    assert min_wall_time(groups) == 69  # overall 30/s dominates: 70 windows of 1 s
    assert min_wall_time(groups, FloodLimits(overall=Window(100, 1.0))) == 20
