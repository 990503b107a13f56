"""The network a visitor plays with, built the way people build it: through the bot.

A coordinator makes three districts with `/wijk`, creates each district's group with the bot
in it and links it with `/koppel`; one chief (of all three) and three key figures per district
join with their own invitation link. Everything the bot said along the way stays in the chats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.demo.people import Actors, contains
from bot.demo.scenario import DISTRICTS, NAMES
from sandbox import Sandbox
from sandbox.models import BotAccount, Chat
from sandbox.people import Person

KEY_FIGURES = 3


@dataclass
class Player:
    """Someone the visitor can be: who, which role, in which districts."""

    person: Person
    role: str  # "coordinator" | "chief" | "key_figure"
    districts: list[str] = field(default_factory=list)


@dataclass
class PlayWorld:
    """The people and the districts' groups, in the order the page shows them."""

    bot: BotAccount
    players: list[Player]
    groups: dict[str, Chat]

    def player(self, person_id: int) -> Player | None:
        """The player with this Telegram user id, if there is one."""
        return next((p for p in self.players if p.person.id == person_id), None)


async def build_world(sandbox: Sandbox, bot: BotAccount, coordinator: Person) -> PlayWorld:
    """Make the districts, their groups and their people through the running bot."""
    actors = Actors(sandbox, bot)
    chief = sandbox.add_person("Jan", "de Vries", language_code="nl")
    started = await coordinator.start(bot)
    await sandbox.next_message(started.chat, after=started, timeout=20)
    players = [Player(coordinator, "coordinator", list(DISTRICTS))]
    players.append(Player(chief, "chief", list(DISTRICTS)))
    groups: dict[str, Chat] = {}
    names = iter(NAMES)
    for district in DISTRICTS:
        await actors.say(coordinator, f"/wijk {district}", expect=contains("aangemaakt"))
        people = [sandbox.add_person(next(names), language_code="nl") for _ in range(KEY_FIGURES)]
        group = await coordinator.create_group(f"Bondgenoten {district}", [chief, *people], [bot])
        await sandbox.next_message(group, timeout=20)  # the bot says hello
        await actors.say(coordinator, f"/koppel {district}", group, contains("gekoppeld"))
        await actors.invite_and_join(coordinator, chief, district, "chef")
        for person in people:
            await actors.invite_and_join(coordinator, person, district, "bondgenoot")
            players.append(Player(person, "key_figure", [district]))
        groups[district] = group
    return PlayWorld(bot, players, groups)
