"""A network of districts built the way people build it, for end-to-end tests.

The coordinator makes each district with `/wijk`, creates its group with the bot in it and
links it with `/koppel`; each chief and key figure joins through their own invitation link
(`/uitnodigen`), so the bot knows them and can write to them privately. Everybody of a
district is also a member of its group, so they can press the buttons there.

Stable API (other test modules import it):

- `build_network(sandbox, tg_bot, coordinator, {"Overvecht": 3, ...}) -> Network`
- `Network.districts[name]` / `network[name]` -> `NetDistrict(name, group, chief, key_figures)`
- `join_as(sandbox, tg_bot, coordinator, person, district, role="bondgenoot")`
- `linked_group(sandbox, tg_bot, coordinator, district, members=()) -> Chat`
- `ask(sandbox, person, bot_or_group, text, predicate=None) -> Message`, `begin(...)`
- `services_of(app)`, `texts(sandbox, chat, bot)`
- `tap(sandbox, person, message, label, expect=None)`: press a button, wait for the edit
- `next_in(sandbox, chat, start)` / `find_in(sandbox, chat, start)`: the next / latest bot
  message starting with a text; `checkin_messages(sandbox, chat, bot)`: the check-ins posted
- `ShiftedClock`: the real time plus an offset a test can move (`advance`, `set`)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.app import AnyApp
from sandbox import Sandbox
from sandbox.models import BotAccount, CallbackAnswer, Chat, Message
from sandbox.people import Person
from services.container import Services

LINK = re.compile(r"\?start=([A-Za-z0-9_-]{43})")
CHIEF_NAMES = ("Jan de Vries", "Petra Bakker", "Ahmed Yilmaz", "Linda Jansen", "Karel Smit")
KEY_FIGURE_NAMES = (
    "Fatima",
    "Mehmet",
    "Sanne",
    "Youssef",
    "Ilse",
    "Bilal",
    "Noor",
    "Daan",
    "Hatice",
    "Rachid",
    "Eva",
    "Samir",
)
TIMEOUT = 10.0
_ACCEPTED = "heeft je uitnodiging aangenomen"


@dataclass
class NetDistrict:
    """One district as people see it: its linked group, its chief, its key figures."""

    name: str
    group: Chat
    chief: Person | None
    key_figures: list[Person] = field(default_factory=list)


@dataclass
class Network:
    """The districts built for a test, by name, in the order given."""

    coordinator: Person
    districts: dict[str, NetDistrict]

    def __getitem__(self, name: str) -> NetDistrict:
        return self.districts[name]

    @property
    def groups(self) -> dict[str, Chat]:
        """Each district's group, by district name."""
        return {name: d.group for name, d in self.districts.items()}

    @property
    def key_figures(self) -> list[Person]:
        """Every key figure of every district."""
        return [p for d in self.districts.values() for p in d.key_figures]


class ShiftedClock:
    """The real time plus an offset: it runs like a clock, and a test can jump it."""

    def __init__(self, at: datetime | None = None) -> None:
        self.offset = timedelta(0)
        if at is not None:
            self.set(at)

    def now(self) -> datetime:
        """Return the shifted current time (aware, UTC)."""
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        """Jump forward (or back, with a negative delta)."""
        self.offset += delta

    def set(self, at: datetime) -> None:
        """Make it `at` now; it runs on from there."""
        self.offset = at - datetime.now(UTC)


def services_of(app: AnyApp) -> Services:
    """The running bot's services."""
    services = app.bot_data.services
    assert services is not None
    return services


def texts(sandbox: Sandbox, chat: Chat, bot: BotAccount) -> list[str]:
    """The texts the bot sent to a chat, oldest first."""
    return [m.text or "" for m in sandbox.sent(chat, bot)]


async def ask(
    sandbox: Sandbox,
    person: Person,
    where: BotAccount | Chat,
    text: str,
    predicate: Callable[[Message], bool] | None = None,
) -> Message:
    """Send text (privately to the bot, or in a group) and return the bot's next reply."""
    sent = await person.send(where, text)
    return await sandbox.next_message(sent.chat, after=sent, predicate=predicate, timeout=TIMEOUT)


async def begin(sandbox: Sandbox, person: Person, bot: BotAccount) -> None:
    """Press Start and wait for the welcome, so later replies are not mixed up with it."""
    started = await person.start(bot)
    await sandbox.next_message(started.chat, after=started, timeout=TIMEOUT)


def checkin_messages(sandbox: Sandbox, chat: Chat, bot: BotAccount) -> list[Message]:
    """The check-in messages the bot posted in a chat (group or private)."""
    return [m for m in sandbox.sent(chat, bot) if (m.text or "").startswith("📣 Peiling")]


async def tap(
    sandbox: Sandbox, person: Person, message: Message, label: str, expect: str | None = None
) -> CallbackAnswer:
    """Press the button with this label; then wait until the message shows `expect`, if given."""
    answer = await person.press(message, text=label, timeout=TIMEOUT)
    if expect is not None:
        await sandbox.wait_for(lambda: expect in (message.text or ""), timeout=TIMEOUT)
    return answer


async def next_in(sandbox: Sandbox, chat: Chat, start: str) -> Message:
    """The next bot message in a chat (mailbox-style) that starts with this text."""
    return await sandbox.next_message(
        chat, predicate=lambda m: (m.text or "").startswith(start), timeout=TIMEOUT
    )


async def find_in(sandbox: Sandbox, chat: Chat, start: str) -> Message:
    """The latest bot message in a chat that starts with this text, waiting for one.

    Unlike next_in it ignores the mailbox, so a message that came before another one
    already taken (a summary before the reply to /sluit) is still found.
    """

    def found() -> Message | None:
        matching = [m for m in sandbox.sent(chat) if (m.text or "").startswith(start)]
        return matching[-1] if matching else None

    await sandbox.wait_for(found, timeout=TIMEOUT)
    message = found()
    assert message is not None
    return message


def _has_link(message: Message) -> bool:
    return LINK.search(message.text or "") is not None


async def join_as(
    sandbox: Sandbox,
    bot: BotAccount,
    coordinator: Person,
    person: Person,
    district: str,
    role: str = "bondgenoot",
) -> None:
    """The coordinator invites the person; they open the link and press 'Doe mee'.

    Returns once the coordinator has been told, so that notice cannot later pass for the
    reply to the coordinator's next command.
    """
    coordinator_chat = coordinator.chat_with(bot)
    told = len([t for t in texts(sandbox, coordinator_chat, bot) if _ACCEPTED in t])
    made = await ask(sandbox, coordinator, bot, f'/uitnodigen "{district}" {role}', _has_link)
    found = LINK.search(made.text or "")
    assert found, made.text
    started = await person.start(bot, found.group(1))
    agreement = await sandbox.next_message(started.chat, after=started, timeout=TIMEOUT)
    await person.press(agreement, text="Doe mee")
    await sandbox.next_message(
        started.chat,
        after=agreement,
        predicate=lambda m: (m.text or "").startswith("Welkom"),
        timeout=TIMEOUT,
    )
    await sandbox.wait_for(
        lambda: len([t for t in texts(sandbox, coordinator_chat, bot) if _ACCEPTED in t]) > told,
        timeout=TIMEOUT,
    )


async def linked_group(
    sandbox: Sandbox,
    bot: BotAccount,
    coordinator: Person,
    district: str,
    members: Iterable[Person] = (),
) -> Chat:
    """Create the district's group with the bot and these members, and link it."""
    group = await coordinator.create_group(f"Bondgenoten {district}", list(members), [bot])
    await sandbox.next_message(group, timeout=TIMEOUT)  # the bot's hello
    reply = await ask(sandbox, coordinator, group, f"/koppel {district}")
    assert (reply.text or "").startswith(f"Deze groep is nu gekoppeld aan wijk {district}."), (
        reply.text
    )
    return group


def _name(pool: tuple[str, ...], index: int) -> tuple[str, str | None]:
    first, _, last = pool[index % len(pool)].partition(" ")
    lap = index // len(pool)
    if lap:
        last = f"{last} {lap + 1}".strip()
    return first, last or None


async def build_network(
    sandbox: Sandbox,
    bot: BotAccount,
    coordinator: Person,
    districts: dict[str, int],
    *,
    chiefs: bool = True,
) -> Network:
    """Make each district with a linked group, a chief (unless chiefs=False) and n key figures.

    Starts the coordinator's private chat first. People get distinct Dutch names.
    """
    await begin(sandbox, coordinator, bot)
    built: dict[str, NetDistrict] = {}
    figures = 0
    for number, (name, count) in enumerate(districts.items()):
        made = await ask(sandbox, coordinator, bot, f"/wijk {name}")
        assert "aangemaakt" in (made.text or ""), made.text
        chief = None
        if chiefs:
            first, last = _name(CHIEF_NAMES, number)
            chief = sandbox.add_person(first, last, language_code="nl")
        people = []
        for _ in range(count):
            first, last = _name(KEY_FIGURE_NAMES, figures)
            people.append(sandbox.add_person(first, last, language_code="nl"))
            figures += 1
        members = [p for p in (chief, *people) if p is not None]
        group = await linked_group(sandbox, bot, coordinator, name, members)
        if chief is not None:
            await join_as(sandbox, bot, coordinator, chief, name, "chef")
        for person in people:
            await join_as(sandbox, bot, coordinator, person, name)
        built[name] = NetDistrict(name, group, chief, people)
    return Network(coordinator, built)
