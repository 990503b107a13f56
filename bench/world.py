"""The simulated people and groups every scenario needs, made through the sandbox's HTTP API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TypeVar

from bench.processes import BotAccount, SandboxClient

# Tokens of the shape BotFather hands out (the settings refuse anything else).
BOT = BotAccount("7100000001:AAbondgenotenBenchmarkToken_0123456789", "bondgenoten_bench_bot")
BARE = BotAccount("7100000002:AAbarePtbBenchmarkToken_0123456789ab", "bare_ptb_bench_bot")
COORDINATOR = 900_000_001
FIRST_PERSON = 910_000_000
# Requests to the sandbox in flight at once while setting up (not while measuring).
SETUP_CONNECTIONS = 24

T = TypeVar("T")
R = TypeVar("R")


async def each(items: Iterable[T], call: Callable[[T], Awaitable[R]]) -> list[R]:
    """Call for every item, SETUP_CONNECTIONS at a time; results in order."""
    gate = asyncio.Semaphore(SETUP_CONNECTIONS)

    async def one(item: T) -> R:
        async with gate:
            return await call(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


def person_ids(count: int, offset: int = 0) -> list[int]:
    """Telegram ids for `count` key figures."""
    return list(range(FIRST_PERSON + offset, FIRST_PERSON + offset + count))


async def add_people(
    sandbox: SandboxClient, ids: Sequence[int], started: BotAccount | None = None
) -> None:
    """Make these people; with `started`, each has opened the private chat with that bot."""

    async def make(uid: int) -> None:
        await sandbox.post("people", first_name=f"Bondgenoot {uid}", id=uid, language_code="nl")
        if started is not None:
            await sandbox.post("start", person=uid, bot=started.token)

    await each(ids, make)


async def add_coordinator(sandbox: SandboxClient, bot: BotAccount) -> int:
    """The coordinator (in the bot's config), with the private chat open."""
    await sandbox.post(
        "people", first_name="Cor", last_name="Dinator", id=COORDINATOR, language_code="nl"
    )
    await sandbox.post("start", person=COORDINATOR, bot=bot.token)
    return COORDINATOR


async def add_groups(
    sandbox: SandboxClient, members: Sequence[Sequence[int]], bot: BotAccount, title: str
) -> list[int]:
    """One group per member list, made by the coordinator with the bot in it; their ids."""

    async def make(numbered: tuple[int, Sequence[int]]) -> int:
        number, people = numbered
        chat = await sandbox.post(
            "groups",
            creator=COORDINATOR,
            title=f"{title} {number + 1:03d}",
            members=list(people),
            bots=[bot.token],
        )
        return int(chat["id"])

    return await each(enumerate(members), make)


def split(ids: Sequence[int], groups: int) -> list[list[int]]:
    """Deal the ids over `groups` lists as evenly as possible, in order."""
    size, extra = divmod(len(ids), groups)
    lists, start = [], 0
    for n in range(groups):
        end = start + size + (1 if n < extra else 0)
        lists.append(list(ids[start:end]))
        start = end
    return lists
