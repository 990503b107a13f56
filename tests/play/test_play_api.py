"""The play page's HTTP API against the real bot on the sandbox: people, chats, presses, events.

The network is built through the bot (play/world.py); the requests go through aiohttp's test
client as the page's script makes them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from play.main import bot_and_world
from play.server import make_app
from play.world import PlayWorld
from sandbox import Sandbox

pytestmark = pytest.mark.e2e
WAIT = 20.0


@pytest.fixture
async def played(db_url: str) -> AsyncIterator[tuple[TestClient[Any, Any], Sandbox, PlayWorld]]:
    async with bot_and_world(db_url) as (sandbox, world):
        client = TestClient(TestServer(make_app(sandbox, world), host="127.0.0.1"))
        await client.start_server()
        try:
            yield client, sandbox, world
        finally:
            await client.close()


def _who(world: PlayWorld, role: str, nth: int = 0) -> int:
    return [p.person.id for p in world.players if p.role == role][nth]


async def _json(response: ClientResponse, status: int = 200) -> Any:
    assert response.status == status, await response.text()
    return await response.json()


async def _chat(client: TestClient[Any, Any], person: int, chat: int) -> list[dict[str, Any]]:
    found = await _json(await client.get("/api/chat", params={"person": person, "chat": chat}))
    messages: list[dict[str, Any]] = found["messages"]
    return messages


async def _until(
    client: TestClient[Any, Any], person: int, chat: int, part: str
) -> dict[str, Any]:
    """The latest message in the chat whose HTML contains part, polling the API until there."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        found = [m for m in await _chat(client, person, chat) if part in m["html"]]
        if found:
            return found[-1]
        assert loop.time() < deadline, f"no message with {part!r} in chat {chat}"
        await asyncio.sleep(0.1)


async def _press(
    client: TestClient[Any, Any], person: int, chat: int, message: dict[str, Any], label: str
) -> Any:
    data = next(b["data"] for row in message["buttons"] for b in row if b["text"] == label)
    body = {"person": person, "chat": chat, "message": message["id"], "data": data}
    return await _json(await client.post("/api/press", json=body))


async def test_the_people_are_a_coordinator_a_chief_and_key_figures_with_their_groups(
    played: tuple[TestClient[Any, Any], Sandbox, PlayWorld],
) -> None:
    client, _, _ = played
    people = await _json(await client.get("/api/people", headers={"Accept-Language": "nl"}))

    roles = [p["role_label"] for p in people]
    assert roles[:2] == ["Coördinator", "Chef"]
    assert roles.count("Bondgenoot in Overvecht") == 3
    assert {"Bondgenoot in Kanaleneiland", "Bondgenoot in Zuilen"} <= set(roles)
    chief = people[1]
    assert chief["name"] == "Jan de Vries"
    assert [c["title"] for c in chief["chats"]] == [
        "Bondgenoten",
        "Bondgenoten Kanaleneiland",
        "Bondgenoten Overvecht",
        "Bondgenoten Zuilen",
    ]
    figure = next(p for p in people if p["role_label"] == "Bondgenoot in Zuilen")
    assert [c["title"] for c in figure["chats"]] == ["Bondgenoten", "Bondgenoten Zuilen"]
    # The history shows how they joined: the bot's welcome is in their private chat.
    history = await _chat(client, figure["id"], figure["id"])
    assert any("Welkom" in m["html"] and m["from_bot"] for m in history)


async def test_a_chief_sends_a_check_in_a_key_figure_answers_and_the_events_name_the_group(
    played: tuple[TestClient[Any, Any], Sandbox, PlayWorld],
) -> None:
    client, _, world = played
    chief = _who(world, "chief")
    figure = next(p for p in world.players if p.districts == ["Overvecht"]).person.id
    group = world.groups["Overvecht"].id

    sent = await client.post(
        "/api/send", json={"person": chief, "chat": chief, "text": "/peiling Brand in de flat"}
    )
    await _json(sent)
    wizard = await _until(client, chief, chief, "Welke wijken")
    typed = (await _chat(client, chief, chief))[-2]
    assert typed["mine"]
    assert typed["html"] == '<span class="bot_command">/peiling</span> Brand in de flat'
    for label, next_step in (
        ("Verder ➡️", "Hoe lang blijft"),
        ("6 uur", "Mogen de bondgenoten"),
        ("Live tonen", "Voorbeeld"),
        ("✅ Versturen", "verstuurd naar"),
    ):
        await _press(client, chief, chief, wizard, label)
        wizard = await _until(client, chief, chief, next_step)
        assert wizard["edited"]

    checkin = await _until(client, figure, group, "Peiling</b> — Brand in de flat")
    assert "0 van 3 bondgenoten" in checkin["html"]
    async with client.get("/api/events") as stream:
        assert b"event: hello" in await stream.content.readuntil(b"\n\n")
        await _press(client, figure, group, checkin, "Onrust")
        changed: set[int] = set()
        while group not in changed:  # the tally's edit arrives as an event naming the group
            line = await asyncio.wait_for(stream.content.readline(), WAIT)
            if line.startswith(b"data: "):
                changed |= set(json.loads(line[6:])["chats"])
    tallied = await _until(client, figure, group, "1 van 3 bondgenoten")
    assert tallied["id"] == checkin["id"]

    # The export comes as a document the page offers for download.
    coordinator = _who(world, "coordinator")
    await _json(
        await client.post(
            "/api/send", json={"person": coordinator, "chat": coordinator, "text": "/export"}
        )
    )
    question = await _until(client, coordinator, coordinator, "Wat wil je exporteren?")
    for label, next_step in (
        ("Antwoorden", "Over welke periode?"),
        ("Laatste 7 dagen", "Welke wijken?"),
        ("Verder", "In welk formaat?"),
        ("CSV", "Met pseudoniemen, of met namen"),
        ("Met pseudoniemen", "Personen: pseudoniemen"),
    ):
        await _press(client, coordinator, coordinator, question, label)
        question = await _until(client, coordinator, coordinator, next_step)
    exported = await _with_document(client, coordinator)
    download = await client.get(exported["document"]["url"])
    assert download.status == 200
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    assert exported["document"]["name"].endswith(".csv")
    assert "Brand in de flat" in (await download.read()).decode("utf-8-sig")

    # Closed: the chief's summary, then its chart as a photo the page shows.
    await _json(
        await client.post("/api/send", json={"person": chief, "chat": chief, "text": "/sluit 1"})
    )
    await _until(client, chief, chief, "Samenvatting peiling #1")
    chart = await _with_photo(client, chief)
    picture = await client.get(chart["photo"])
    assert picture.headers["Content-Type"] == "image/png"
    assert (await picture.read()).startswith(b"\x89PNG")


async def _with_document(client: TestClient[Any, Any], person: int) -> dict[str, Any]:
    return await _with(client, person, "document")


async def _with_photo(client: TestClient[Any, Any], person: int) -> dict[str, Any]:
    return await _with(client, person, "photo")


async def _with(client: TestClient[Any, Any], person: int, key: str) -> dict[str, Any]:
    """The latest message in the person's private chat with a document or photo, once there."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not (found := [m for m in await _chat(client, person, person) if m[key]]):
        assert loop.time() < deadline, f"no {key} in the private chat of {person}"
        await asyncio.sleep(0.1)
    return found[-1]


async def test_a_person_sees_only_their_own_chats_and_real_buttons(
    played: tuple[TestClient[Any, Any], Sandbox, PlayWorld],
) -> None:
    client, _, world = played
    figure = next(p for p in world.players if p.districts == ["Zuilen"]).person.id
    other = _who(world, "chief")
    overvecht = world.groups["Overvecht"].id

    for params in ({"person": figure, "chat": overvecht}, {"person": figure, "chat": other}):
        assert (await client.get("/api/chat", params=params)).status == 404
    assert (await client.get("/api/chat", params={"person": 1, "chat": 1})).status == 404
    welcome = (await _chat(client, figure, figure))[0]
    forged = {"person": figure, "chat": figure, "message": welcome["id"], "data": "x:1"}
    assert (await client.post("/api/press", json=forged)).status == 400
    nonsense = {**forged, "message": "twelve"}
    assert (await client.post("/api/press", json=nonsense)).status == 404
    empty = {"person": figure, "chat": figure, "text": "  "}
    assert (await client.post("/api/send", json=empty)).status == 400
    # Another web site cannot post a form to it, nor reach it under another name.
    form = await client.post("/api/send", data={"person": str(figure), "text": "/help"})
    assert form.status == 415
    renamed = await client.get("/api/people", headers={"Host": "evil.example:80"})
    assert renamed.status == 403


async def test_the_page_frame_speaks_dutch_first_and_english_on_request(
    played: tuple[TestClient[Any, Any], Sandbox, PlayWorld],
) -> None:
    client, _, _ = played
    dutch = await (await client.get("/")).text()
    english = await (await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})).text()

    assert "<title>Bondgenoten proberen</title>" in dutch
    assert "<title>Try Bondgenoten</title>" in english
    assert '"chat.private": "Privé"' in dutch
    script = await client.get("/static/play.js")
    assert script.status == 200 and "EventSource" in await script.text()
