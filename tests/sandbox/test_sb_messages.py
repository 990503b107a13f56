"""sendMessage, editMessageText/ReplyMarkup, deleteMessage, sendChatAction."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest

from sandbox import BotAccount, Person, Sandbox
from sandbox.errors import NOT_MODIFIED

if TYPE_CHECKING:
    from tests.sandbox.conftest import Api

KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Yes", "callback_data": "vote:yes"}, {"text": "No", "callback_data": "vote:no"}],
        [{"text": "Site", "url": "https://example.org/info"}],
    ]
}


@pytest.fixture
async def alice(sb: Sandbox, bot: BotAccount) -> Person:
    person = sb.add_person("Alice", "Smith", username="alice", language_code="nl")
    await person.start(bot)
    return person


async def test_send_message_shape(api: Api, alice: Person, bot: BotAccount) -> None:
    before = int(time.time())
    result = await api.ok(
        "sendMessage",
        chat_id=alice.id,
        text="Hello <b>there</b>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert result["message_id"] == 2  # /start was message 1 in this chat
    assert result["from"] == {
        "id": bot.id,
        "is_bot": True,
        "first_name": "Test Bot",
        "username": "test_bot",
    }
    assert result["chat"] == {
        "id": alice.id,
        "first_name": "Alice",
        "last_name": "Smith",
        "username": "alice",
        "type": "private",
    }
    assert isinstance(result["date"], int) and before <= result["date"] <= int(time.time())
    assert result["text"] == "Hello there"
    assert result["entities"] == [{"offset": 6, "length": 5, "type": "bold"}]
    assert result["reply_markup"] == KEYBOARD
    assert "edit_date" not in result


async def test_message_ids_are_per_chat(sb: Sandbox, api: Api, alice: Person, bot) -> None:
    bob = sb.add_person("Bob")
    await bob.start(bot)
    first = await api.ok("sendMessage", chat_id=alice.id, text="a")
    second = await api.ok("sendMessage", chat_id=alice.id, text="b")
    other = await api.ok("sendMessage", chat_id=bob.id, text="c")
    assert (first["message_id"], second["message_id"], other["message_id"]) == (2, 3, 2)


async def test_sent_messages_are_readable(sb: Sandbox, api: Api, alice: Person, bot) -> None:
    await api.ok("sendMessage", chat_id=alice.id, text="menu", reply_markup=KEYBOARD)
    chat = alice.chat_with(bot)
    [message] = sb.sent(chat, bot)
    assert message.text == "menu"
    assert message.button_texts == ["Yes", "No", "Site"]
    assert message.find_button(data="vote:no") == {"text": "No", "callback_data": "vote:no"}
    assert message.find_button(text="Site") == {"text": "Site", "url": "https://example.org/info"}
    assert [m.text for m in sb.messages(chat)] == ["/start", "menu"]
    assert sb.messages(chat, sender=alice)[0].text == "/start"


async def test_reply_to_message(api: Api, sb: Sandbox, alice: Person, bot) -> None:
    start = sb.messages(alice.chat_with(bot))[0]
    result = await api.ok(
        "sendMessage",
        chat_id=alice.id,
        text="reply",
        reply_parameters={"message_id": start.message_id},
    )
    assert result["reply_to_message"]["text"] == "/start"
    assert result["reply_to_message"]["from"]["id"] == alice.id
    status, body = await api("sendMessage", chat_id=alice.id, text="x", reply_to_message_id=99)
    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")


async def test_reply_keyboard_is_kept_but_not_echoed(api: Api, sb: Sandbox, alice, bot) -> None:
    markup = {"keyboard": [[{"text": "Share"}]], "resize_keyboard": True}
    result = await api.ok("sendMessage", chat_id=alice.id, text="pick", reply_markup=markup)
    assert "reply_markup" not in result
    assert sb.last_sent(alice.chat_with(bot)).reply_keyboard == markup


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("a <b>bold", "Can't find end tag corresponding to start tag b"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_rejected(api: Api, alice: Person, text: str, description: str) -> None:
    status, body = await api("sendMessage", chat_id=alice.id, text=text, parse_mode="HTML")
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": f"Bad Request: can't parse entities: {description}",
    }


async def test_html_entities_nesting_and_utf16_offsets(api: Api, alice: Person) -> None:
    html = (
        "😀 <b>bold <i>both</i></b> &lt;tag&gt; &amp; &quot;q&quot; &#33;"
        ' <a href="https://example.org">link</a> <code>x</code>'
        ' <pre><code class="language-python">print()</code></pre>'
        " <tg-spoiler>s</tg-spoiler> <blockquote expandable>quote</blockquote>"
    )
    result = await api.ok("sendMessage", chat_id=alice.id, text=html, parse_mode="HTML")
    assert result["text"] == '😀 bold both <tag> & "q" ! link x print() s quote'
    assert result["entities"] == [
        {"offset": 3, "length": 9, "type": "bold"},
        {"offset": 8, "length": 4, "type": "italic"},
        {"offset": 27, "length": 4, "type": "text_link", "url": "https://example.org"},
        {"offset": 32, "length": 1, "type": "code"},
        {"offset": 34, "length": 7, "type": "pre", "language": "python"},
        {"offset": 42, "length": 1, "type": "spoiler"},
        {"offset": 44, "length": 5, "type": "expandable_blockquote"},
    ]


async def test_text_limits(api: Api, alice: Person) -> None:
    status, body = await api("sendMessage", chat_id=alice.id, text="x" * 4097)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    assert (await api.ok("sendMessage", chat_id=alice.id, text="x" * 4096))["text"] == "x" * 4096
    for text in ("", "   \n "):
        status, body = await api("sendMessage", chat_id=alice.id, text=text)
        assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await api("sendMessage", chat_id=alice.id)
    assert body["description"] == "Bad Request: message text is empty"
    status, body = await api("sendMessage", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")


@pytest.mark.parametrize(
    ("button", "description"),
    [
        ({"text": "x", "callback_data": "d" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": "é" * 33}, "Bad Request: BUTTON_DATA_INVALID"),
        (
            {"text": "x"},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        ({"text": "x", "url": "not a url"}, "Bad Request: BUTTON_URL_INVALID"),
    ],
)
async def test_bad_inline_buttons(api: Api, alice: Person, button, description) -> None:
    status, body = await api(
        "sendMessage", chat_id=alice.id, text="k", reply_markup={"inline_keyboard": [[button]]}
    )
    assert (status, body["description"]) == (400, description)


async def test_callback_data_of_64_bytes_is_fine(api: Api, alice: Person) -> None:
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 64}]]}
    result = await api.ok("sendMessage", chat_id=alice.id, text="k", reply_markup=markup)
    assert result["reply_markup"] == markup


async def test_edit_message_text(api: Api, sb: Sandbox, alice: Person, bot) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="v1", reply_markup=KEYBOARD)
    edited = await api.ok(
        "editMessageText",
        chat_id=alice.id,
        message_id=sent["message_id"],
        text="<i>v2</i>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert edited["text"] == "v2"
    assert edited["entities"] == [{"offset": 0, "length": 2, "type": "italic"}]
    assert edited["reply_markup"] == KEYBOARD
    assert isinstance(edited["edit_date"], int) and edited["edit_date"] >= sent["date"]
    assert edited["message_id"] == sent["message_id"] and edited["date"] == sent["date"]
    status, body = await api(
        "editMessageText",
        chat_id=alice.id,
        message_id=sent["message_id"],
        text="<i>v2</i>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert (status, body["description"]) == (400, NOT_MODIFIED)
    # Omitting reply_markup removes the keyboard, so this is a modification.
    third = await api.ok(
        "editMessageText",
        chat_id=alice.id,
        message_id=sent["message_id"],
        text="v2",
    )
    assert "reply_markup" not in third
    message = sb.last_sent(alice.chat_with(bot))
    assert message.history == ["v1", "v2", "v2"]
    assert [e.reply_markup is not None for e in message.edits] == [True, True]
    assert message.edits[1].entities == [{"offset": 0, "length": 2, "type": "italic"}]
    assert message.edit_date is not None


async def test_edit_errors(api: Api, sb: Sandbox, alice: Person, bot) -> None:
    status, body = await api("editMessageText", chat_id=alice.id, message_id=77, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")
    status, body = await api("editMessageText", chat_id=alice.id, message_id=1, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message can't be edited")
    sent = await api.ok("sendMessage", chat_id=alice.id, text="x")
    status, body = await api(
        "editMessageText", chat_id=alice.id, message_id=sent["message_id"], text=""
    )
    assert body["description"] == "Bad Request: message text is empty"


async def test_edit_reply_markup(api: Api, alice: Person) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="x", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    new = {"inline_keyboard": [[{"text": "Only", "callback_data": "only"}]]}
    result = await api.ok(
        "editMessageReplyMarkup", chat_id=alice.id, message_id=mid, reply_markup=new
    )
    assert result["reply_markup"] == new and result["text"] == "x" and "edit_date" in result
    status, body = await api(
        "editMessageReplyMarkup", chat_id=alice.id, message_id=mid, reply_markup=new
    )
    assert (status, body["description"]) == (400, NOT_MODIFIED)
    removed = await api.ok("editMessageReplyMarkup", chat_id=alice.id, message_id=mid)
    assert "reply_markup" not in removed


async def test_delete_message(api: Api, sb: Sandbox, alice: Person, bot) -> None:
    sent = await api.ok("sendMessage", chat_id=alice.id, text="bye")
    assert await api.ok("deleteMessage", chat_id=alice.id, message_id=sent["message_id"])
    status, body = await api("deleteMessage", chat_id=alice.id, message_id=sent["message_id"])
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    chat = alice.chat_with(bot)
    assert sb.sent(chat) == []
    [deleted] = [m for m in sb.messages(chat, include_deleted=True) if m.deleted]
    assert deleted.text == "bye" and deleted.deleted_date is not None
    # In a private chat the bot may delete the person's messages too.
    assert await api.ok("deleteMessage", chat_id=alice.id, message_id=1)


async def test_send_chat_action(api: Api, alice: Person) -> None:
    assert await api.ok("sendChatAction", chat_id=alice.id, action="typing") is True
    status, body = await api("sendChatAction", chat_id=alice.id, action="dancing")
    assert (status, body["description"]) == (400, "Bad Request: wrong parameter action in request")


async def test_next_message_is_a_mailbox(api: Api, sb: Sandbox, alice: Person, bot) -> None:
    chat = alice.chat_with(bot)
    await api.ok("sendMessage", chat_id=alice.id, text="already here")
    assert (await sb.next_message(chat, timeout=1)).text == "already here"
    waiting = asyncio.create_task(sb.next_message(chat, bot=bot, timeout=5))
    await sb.wait_for(lambda: sb.waiting_in(chat))
    assert not waiting.done()  # it did not take "already here" a second time
    await api.ok("sendMessage", chat_id=alice.id, text="later")
    assert (await waiting).text == "later"
    await api.ok("sendMessage", chat_id=alice.id, text="third")
    await api.ok("sendMessage", chat_id=alice.id, text="fourth")
    assert (await sb.next_message(chat, timeout=1)).text == "third"
    found = await sb.next_message(chat, predicate=lambda m: m.text == "fourth", timeout=1)
    assert found.text == "fourth"
    with pytest.raises(TimeoutError):
        await sb.next_message(chat, timeout=0.1)
    assert (await sb.next_message(chat, after=0, timeout=1)).text == "already here"
    assert await sb.wait_for(lambda: len(sb.sent(chat)) == 4, timeout=1)
