"""Button presses (callback_query) and answerCallbackQuery."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from sandbox import BotAccount, Message, Person, Sandbox, SandboxError
from sandbox.errors import QUERY_TOO_OLD

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

MARKUP = {
    "inline_keyboard": [
        [{"text": "👍 Yes", "callback_data": "vote:1"}, {"text": "No", "callback_data": "vote:0"}],
        [{"text": "Docs", "url": "https://example.org"}],
    ]
}


async def keyboard_message(sb: Sandbox, api: Api, bot: BotAccount) -> tuple[Person, Message]:
    """Alice started the bot and got a message with the keyboard."""
    alice = sb.add_person("Alice", username="alice")
    await alice.start(bot)
    await api.updates()
    await api.ok("sendMessage", chat_id=alice.id, text="Vote?", reply_markup=MARKUP)
    message = sb.last_sent(alice.chat_with(bot))
    assert message is not None
    return alice, message


async def answer_next(api: Api, **answer: object) -> dict:
    """Fetch the next callback_query and answer it."""
    [update] = await api.updates(timeout=5)
    query = update["callback_query"]
    assert await api.ok("answerCallbackQuery", callback_query_id=query["id"], **answer)
    return query


async def test_press_sends_callback_query_and_returns_answer(
    sb: Sandbox, api: Api, bot: BotAccount
) -> None:
    alice, message = await keyboard_message(sb, api, bot)
    press = asyncio.create_task(alice.press(message, "vote:1"))
    query = await answer_next(api, text="Counted!", show_alert=True)
    answer = await press
    assert (answer.text, answer.show_alert, answer.url) == ("Counted!", True, None)
    assert query["data"] == "vote:1"
    assert query["from"]["id"] == alice.id and query["from"]["username"] == "alice"
    assert query["message"]["message_id"] == message.message_id
    assert query["message"]["reply_markup"] == MARKUP
    assert query["message"]["from"]["id"] == bot.id
    assert isinstance(query["id"], str) and query["id"].isdigit()
    assert isinstance(query["chat_instance"], str) and query["chat_instance"]
    assert sb.callback_answer(query["id"]) == answer


async def test_press_by_button_text_and_chat_instance_is_stable(
    sb: Sandbox, api: Api, bot: BotAccount
) -> None:
    alice, message = await keyboard_message(sb, api, bot)
    first = await alice.tap(message, text="No")
    second = await alice.tap(message, "vote:1")
    updates = await api.updates()
    datas = [u["callback_query"]["data"] for u in updates]
    assert datas == ["vote:0", "vote:1"]
    instances = {u["callback_query"]["chat_instance"] for u in updates}
    assert len(instances) == 1
    assert first.id != second.id


async def test_press_errors(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice, message = await keyboard_message(sb, api, bot)
    with pytest.raises(SandboxError, match="no button"):
        await alice.tap(message, "vote:9")
    with pytest.raises(SandboxError, match="not a callback button"):
        await alice.tap(message, text="Docs")
    bob = sb.add_person("Bob")
    with pytest.raises(SandboxError):
        await bob.tap(message, "vote:1")


async def test_forged_press_with_arbitrary_data(sb: Sandbox, api: Api, bot) -> None:
    alice, message = await keyboard_message(sb, api, bot)
    query = await alice.forge_press(message, "admin:delete_everything")
    [update] = await api.updates()
    assert update["callback_query"]["data"] == "admin:delete_everything"
    assert update["callback_query"]["id"] == query.id


async def test_press_times_out_without_answer(sb: Sandbox, api: Api, bot) -> None:
    alice, message = await keyboard_message(sb, api, bot)
    with pytest.raises(TimeoutError):
        await alice.press(message, "vote:1", timeout=0.2)


async def test_answer_errors(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice, message = await keyboard_message(sb, api, bot)
    status, body = await api("answerCallbackQuery", callback_query_id="12345")
    assert (status, body) == (400, {"ok": False, "error_code": 400, "description": QUERY_TOO_OLD})
    query = await alice.tap(message, "vote:1")
    status, body = await api("answerCallbackQuery", callback_query_id=query.id, text="x" * 201)
    assert (status, body["description"]) == (400, "Bad Request: MESSAGE_TOO_LONG")
    assert await api.ok("answerCallbackQuery", callback_query_id=query.id, text="x" * 200)
    status, body = await api("answerCallbackQuery", callback_query_id=query.id)
    assert (status, body["description"]) == (400, QUERY_TOO_OLD)
    assert query.answer is not None and query.answer.text == "x" * 200


async def test_answer_after_expiry_is_too_old(sb: Sandbox, api: Api, bot) -> None:
    sb.api.callback_timeout = 0.05
    alice, message = await keyboard_message(sb, api, bot)
    query = await alice.tap(message, "vote:0")
    await asyncio.sleep(0.1)
    status, body = await api("answerCallbackQuery", callback_query_id=query.id)
    assert (status, body["description"]) == (400, QUERY_TOO_OLD)


async def test_answer_with_url(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice, message = await keyboard_message(sb, api, bot)
    press = asyncio.create_task(alice.press(message, "vote:0"))
    await answer_next(api, url="https://t.me/test_bot?start=xyz")
    assert (await press).url == "https://t.me/test_bot?start=xyz"


async def test_inbox_lists_what_the_bot_sent(sb: Sandbox, api: Api, bot: BotAccount) -> None:
    alice, message = await keyboard_message(sb, api, bot)
    await api.ok("sendMessage", chat_id=alice.id, text="second")
    assert [m.text for m in alice.inbox(bot)] == ["Vote?", "second"]
    assert alice.inbox(bot)[0] is message
    assert sb.add_person("Nobody").inbox(bot) == []
