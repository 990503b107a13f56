"""Concurrent updates: one person's in the order they came, different people's side by side."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.ordering import PerPersonOrder, order_keys

PERSON = {"id": 7, "is_bot": False, "first_name": "Fatima"}
OTHER = {"id": 8, "is_bot": False, "first_name": "Mehmet"}
GROUP = {"id": -100, "type": "group", "title": "Overvecht"}


def _press(update_id: int, user: dict[str, Any], chat: dict[str, Any]) -> Update:
    message = {"message_id": 1, "date": 0, "chat": chat, "text": "📣"}
    query = {"id": str(update_id), "from": user, "chat_instance": "x", "message": message}
    return Update.de_json({"update_id": update_id, "callback_query": query}, None)


def _message(update_id: int, user: dict[str, Any], chat: dict[str, Any]) -> Update:
    message = {"message_id": update_id, "date": 0, "chat": chat, "from": user, "text": "hoi"}
    return Update.de_json({"update_id": update_id, "message": message}, None)


def test_presses_wait_for_their_person_and_group_messages_for_their_group() -> None:
    assert order_keys(_press(1, PERSON, GROUP)) == (("user", 7),)
    assert order_keys(_message(2, PERSON, GROUP)) == (("user", 7), ("chat", -100))
    private = {"id": 7, "type": "private", "first_name": "Fatima"}
    assert order_keys(_message(3, PERSON, private)) == (("user", 7),)
    assert order_keys(object()) == ()


async def test_one_persons_updates_keep_their_order_while_others_overtake() -> None:
    processor = PerPersonOrder(16)
    done: list[int] = []

    async def handle(update_id: int, seconds: float) -> None:
        await asyncio.sleep(seconds)
        done.append(update_id)

    updates = [
        (_press(1, PERSON, GROUP), 0.05),  # slow
        (_press(2, PERSON, GROUP), 0.0),  # same person: waits for 1
        (_press(3, OTHER, GROUP), 0.0),  # someone else: does not wait
    ]
    await asyncio.gather(
        *(processor.process_update(u, handle(u.update_id, s)) for u, s in updates)
    )
    assert done == [3, 1, 2]


async def test_everything_after_a_membership_change_waits_for_it() -> None:
    processor = PerPersonOrder(16)
    done: list[str] = []

    async def handle(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        done.append(name)

    private = {"id": 8, "type": "private", "first_name": "Mehmet"}
    change = {"chat": private, "from": OTHER, "date": 0}
    change |= {"old_chat_member": {"status": "member", "user": PERSON}}
    change |= {"new_chat_member": {"status": "kicked", "user": PERSON, "until_date": 0}}
    blocked = Update.de_json({"update_id": 1, "my_chat_member": change}, None)
    await asyncio.gather(
        processor.process_update(blocked, handle("blocked", 0.05)),
        processor.process_update(_message(2, PERSON, GROUP), handle("roster", 0.0)),
    )
    assert done == ["blocked", "roster"]
