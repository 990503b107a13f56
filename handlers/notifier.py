"""The Notifier port over Telegram: render, send, and turn Telegram's errors into outcomes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardMarkup
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

from handlers.checkins.charts import summary_pngs
from handlers.checkins.practice import wipe_keyboard
from handlers.checkins.render import render_checkin, render_report, render_summary
from handlers.feedback.keyboards import write_keyboard
from handlers.i18n import t
from handlers.meetings.points import render_points
from handlers.meetings.render import render_headcount, render_meeting
from handlers.render import render
from services.checkins.views import CheckInMessage, CheckInSummary, DeliveryReport
from services.commands import menu_name
from services.meetings.views import Headcount, MeetingMessage, TalkingPointsView
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
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
        return Sent(False, error="retry", description=exc.message, retry_after=seconds)
    if isinstance(exc, TimedOut):
        # Sent, but no answer in time: Telegram may have posted it (see broadcast.py).
        return Sent(False, error="uncertain", description=exc.message)
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

    async def _send(
        self, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> Sent:
        try:
            sent = await self._bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                disable_web_page_preview=True,
            )
        except TelegramError as exc:
            log.info("send to %s failed: %s", chat_id, exc)
            return sent_from_error(chat_id, exc)
        return Sent(True, message_id=sent.message_id)

    async def notify(self, chat_id: int, notice: Notice, language: str | None = None) -> Sent:
        """Render and send one notice; never raises for what Telegram answers."""
        return await self._send(chat_id, render(notice, self._tz, language or self._language))

    async def send_checkin(
        self, chat_id: int, message: CheckInMessage, language: str | None = None
    ) -> Sent:
        """Post a check-in with its answer buttons."""
        text, keyboard = render_checkin(
            message, self._tz, language or message.language or self._language
        )
        return await self._send(chat_id, text, keyboard)

    async def edit_checkin(
        self, chat_id: int, message_id: int, message: CheckInMessage, language: str | None = None
    ) -> Sent:
        """Show a posted check-in anew (a changed tally, or closed with the final tally)."""
        text, keyboard = render_checkin(
            message, self._tz, language or message.language or self._language
        )
        return await self._edit(chat_id, message_id, text, keyboard)

    async def send_meeting(
        self, chat_id: int, message: MeetingMessage, language: str | None = None
    ) -> Sent:
        """Post a meeting invitation with its RSVP buttons."""
        text, keyboard = render_meeting(
            message, self._tz, language or message.language or self._language
        )
        return await self._send(chat_id, text, keyboard)

    async def edit_meeting(
        self, chat_id: int, message_id: int, message: MeetingMessage, language: str | None = None
    ) -> Sent:
        """Show a posted invitation anew (a changed count, closed, cancelled)."""
        text, keyboard = render_meeting(
            message, self._tz, language or message.language or self._language
        )
        return await self._edit(chat_id, message_id, text, keyboard)

    async def send_headcount(
        self, chat_id: int, headcount: Headcount, language: str | None = None
    ) -> Sent:
        """Send a meeting's headcount (counts only) to an organiser."""
        lang = language or self._language
        return await self._send(chat_id, render_headcount(headcount, self._tz, lang))

    async def send_talking_points(
        self, chat_id: int, points: TalkingPointsView, language: str | None = None
    ) -> Sent:
        """Send a meeting's talking points to someone coming."""
        lang = language or self._language
        return await self._send(chat_id, render_points(points, self._tz, lang))

    async def _edit(
        self, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> Sent:
        try:
            await self._bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                disable_web_page_preview=True,
            )
        except BadRequest as exc:
            # The screen already shows exactly this: the goal of the edit is reached.
            if "not modified" in exc.message.lower():
                return Sent(True, message_id=message_id)
            return sent_from_error(chat_id, exc)
        except TelegramError as exc:
            return sent_from_error(chat_id, exc)
        return Sent(True, message_id=message_id)

    async def send_delivery_report(
        self, chat_id: int, report: DeliveryReport, language: str | None = None
    ) -> Sent:
        """Tell a chief where the check-in arrived and where not."""
        return await self._send(
            chat_id, render_report(report, self._tz, language or self._language)
        )

    async def send_summary(
        self, chat_id: int, summary: CheckInSummary, language: str | None = None
    ) -> Sent:
        """Send the closing summary, in as many messages as it needs, then its chart."""
        first: Sent | None = None
        parts = render_summary(summary, self._tz, language or self._language)
        for index, part in enumerate(parts):
            # Under the last part: write feedback to the groups (closing the loop).
            last = index == len(parts) - 1 and summary.closed_at is not None
            keyboard: InlineKeyboardMarkup | None = write_keyboard(
                summary.checkin_id, language or self._language
            )
            if summary.practice:  # no feedback on practice; coordinators may wipe it instead
                keyboard = (
                    wipe_keyboard(summary.checkin_id, language or self._language)
                    if summary.offer_wipe
                    else None
                )
            sent = await self._send(chat_id, part, keyboard if last else None)
            first = first or sent
            if not sent.ok:
                return sent
        await self._send_chart(chat_id, summary, language or self._language)
        return first or Sent(True)

    async def _send_chart(self, chat_id: int, summary: CheckInSummary, language: str) -> None:
        """The levels per district as a bar chart, after the text."""
        try:
            charts = await asyncio.to_thread(summary_pngs, summary, language)
            for png in charts:
                await self._bot.send_photo(chat_id, png)
        # The chart is an extra: whatever goes wrong with it must not keep the summary from
        # the other recipients, so it is logged and left out.
        except Exception:
            log.warning(
                "summary chart of check-in %s to %s failed",
                summary.checkin_id,
                chat_id,
                exc_info=True,
            )

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
        menu = [BotCommand(menu_name(name, lang), t(f"command.{name}", lang)) for name in commands]
        try:
            await self._bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:
            return sent_from_error(chat_id, exc)
        return Sent(True)
