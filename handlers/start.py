"""/start and /help in the private chat."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from handlers.context import BotContext
from handlers.i18n import t


async def start(update: Update, context: BotContext) -> None:
    """Welcome a person who opens the bot without an invitation token."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    text = t("start.welcome", context.services.language, name=user.first_name)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def help_command(update: Update, context: BotContext) -> None:
    """Explain what the bot does and which commands there are."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(t("help.text", context.services.language), parse_mode=ParseMode.HTML)
