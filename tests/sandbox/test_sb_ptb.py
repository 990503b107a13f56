"""A real python-telegram-bot Bot against the sandbox: PTB's own encoding must work."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter

from sandbox import BotAccount, Sandbox


async def test_ptb_bot_round_trip(
    sb: Sandbox, bot: BotAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as timedelta, no warning
    alice = sb.add_person("Alice", username="alice")
    owner = sb.add_person("Owner")
    async with Bot(bot.token, base_url=sb.base_url, base_file_url=sb.base_file_url) as ptb:
        me = await ptb.get_me()
        assert (me.id, me.username, me.can_join_groups) == (bot.id, "test_bot", True)

        await alice.start(bot, "hello")
        [update] = await ptb.get_updates(timeout=2)
        assert update.message.text == "/start hello"
        assert update.message.chat.type == "private"
        assert update.message.entities[0].type == "bot_command"

        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Agree", callback_data="agree"),
                    InlineKeyboardButton("Read", url="https://example.org"),
                ]
            ]
        )
        sent = await ptb.send_message(
            alice.id, "<b>Deal?</b>", parse_mode="HTML", reply_markup=keyboard
        )
        assert sent.text == "Deal?" and sent.reply_markup == keyboard
        assert sent.from_user.id == bot.id and sent.date.tzinfo is not None

        press = asyncio.create_task(alice.press(sb.last_sent(alice.chat_with(bot)), "agree"))
        [update] = await ptb.get_updates(offset=update.update_id + 1, timeout=2)
        query = update.callback_query
        assert (query.data, query.from_user.id, query.message.message_id) == (
            "agree",
            alice.id,
            sent.message_id,
        )
        assert await ptb.answer_callback_query(query.id, text="Thanks", show_alert=True)
        answer = await press
        assert (answer.text, answer.show_alert) == ("Thanks", True)

        doc = await ptb.send_document(
            alice.id, b"id,name\n1,x\n", filename="export.csv", caption="Export"
        )
        assert doc.document.file_name == "export.csv" and doc.caption == "Export"
        stored = sb.file(doc.document.file_id)
        assert stored.data == b"id,name\n1,x\n" and stored.mime_type == "text/csv"
        downloaded = await (await ptb.get_file(doc.document.file_id)).download_as_bytearray()
        assert bytes(downloaded) == b"id,name\n1,x\n"

        edited = await ptb.edit_message_text("Done", chat_id=alice.id, message_id=sent.message_id)
        assert edited.text == "Done" and edited.edit_date is not None

        with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
            await ptb.send_message(alice.id, "<oops>", parse_mode="HTML")
        group = await owner.create_group("G", bots=[bot])
        supergroup = await owner.migrate(group)
        with pytest.raises(ChatMigrated) as migrated:
            await ptb.send_message(group.id, "hi")
        assert migrated.value.new_chat_id == supergroup.id
        await alice.block(bot)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await ptb.send_message(alice.id, "hi")
        sb.inject_fault("sendMessage", error_code=429, retry_after=3)
        with pytest.raises(RetryAfter) as retry:
            await ptb.send_message(supergroup.id, "hi")
        assert retry.value.retry_after.total_seconds() == 3
