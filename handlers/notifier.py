"""The Notifier port over Telegram: render, send, and turn Telegram's errors into outcomes."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from handlers.i18n import t
from handlers.render import render
from services.ports import Notice, Sent

log = logging.getLogger(__name__)


def sent_from_error(chat_id: int, exc: TelegramError) -> Sent:
    """Classify what Telegram answered, so services can decide without knowing Telegram."""
    if isinstance(exc, ChatMigrated):
        return Sent(
            False, error="migrated", description=exc.message, migrate_to_chat_id=exc.new_chat_id
        )
    if isinstance(exc, Forbidden):
        return Sent(False, error="blocked" if chat_id > 0 else "kicked", description=exc.message)
    if isinstance(exc, RetryAfter | TimedOut):
        return Sent(False, error="retry", description=exc.message)
    if isinstance(exc, BadRequest):
        return Sent(False, error="failed", description=exc.message)
    if isinstance(exc, NetworkError):
        return Sent(False, error="retry", description=exc.message)
    return Sent(False, error="failed", description=exc.message)


class TelegramNotifier:
    """Send notices through the bot; Telegram errors become a Sent with a reason."""

    def __init__(self, bot: Bot, tz: ZoneInfo, language: str) -> None:
        self._bot = bot
        self._tz = tz
        self._language = language

    async def notify(self, chat_id: int, notice: Notice, language: str | None = None) -> Sent:
        """Render and send one notice; never raises for what Telegram answers."""
        text = render(notice, self._tz, language or self._language)
        try:
            sent = await self._bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
            )
        except TelegramError as exc:
            log.info("send to %s failed: %s", chat_id, exc)
            return sent_from_error(chat_id, exc)
        return Sent(True, message_id=sent.message_id)

    async def leave_chat(self, chat_id: int, notice: Notice | None = None) -> Sent:
        """Say a last notice in a group, if any, and leave it."""
        if notice is not None:
            await self.notify(chat_id, notice)
        try:
            await self._bot.leave_chat(chat_id)
        except TelegramError as exc:
            return sent_from_error(chat_id, exc)
        return Sent(True)

    async def set_commands(
        self, chat_id: int, commands: Sequence[str], language: str | None = None
    ) -> Sent:
        """Show exactly these commands in one person's menu (per-chat command scope)."""
        lang = language or self._language
        menu = [BotCommand(name, t(f"command.{name}", lang)) for name in commands]
        try:
            await self._bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:
            return sent_from_error(chat_id, exc)
        return Sent(True)
