"""The error handler answers a press only if the handler had not answered it already."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from telegram import Update

from handlers.errors import answers_noted, note_answered, on_error


class FakeBot:
    """Records what the error handler asks of Telegram."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def answer_callback_query(self, callback_query_id: str, **kwargs: Any) -> bool:
        self.calls.append(("answer", callback_query_id))
        return True

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.calls.append(("send", chat_id))


def _press(bot: FakeBot) -> Update:
    user = {"id": 42, "is_bot": False, "first_name": "Cor"}
    chat = {"id": 42, "type": "private"}
    message = {"message_id": 7, "date": 0, "chat": chat, "text": "?"}
    data = {
        "update_id": 1,
        "callback_query": {
            "id": "press-1",
            "from": user,
            "chat_instance": "c",
            "data": "x",
            "message": message,
        },
    }
    return Update.de_json(data, bot)  # type: ignore[arg-type]


def _context(bot: FakeBot) -> Any:
    return SimpleNamespace(
        error=RuntimeError("boom"), bot=bot, bot_data=SimpleNamespace(services=None)
    )


async def test_an_unanswered_press_gets_the_apology_as_its_answer() -> None:
    bot = FakeBot()
    with answers_noted():
        await on_error(_press(bot), _context(bot))

    assert bot.calls == [("answer", "press-1")]


async def test_a_press_already_answered_is_not_answered_again() -> None:
    bot = FakeBot()
    with answers_noted():
        note_answered("press-1")
        await on_error(_press(bot), _context(bot))

    # Telegram would refuse a second answer; in a private chat the apology comes as a message.
    assert bot.calls == [("send", 42)]
