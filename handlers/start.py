"""/start and /help in the private chat."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from handlers.context import BotContext
from handlers.i18n import t
from services.commands import menu_name


async def start(update: Update, context: BotContext) -> None:
    """Welcome a person who opens the bot without an invitation token; tell a stranger so."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    known = await context.services.people.is_known(user.id)
    # A stranger sees their numeric id: the first owner needs it for `coordinators`.
    key = "start.welcome" if known else "start.stranger"
    text = t(key, context.language, name=user.first_name, id=user.id)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def help_command(update: Update, context: BotContext) -> None:
    """Explain the bot and list exactly the commands this person's roles allow."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    language = context.language
    names = await context.services.people.commands_for(user.id)
    lines = [t("help.head", language)]
    lines += [f"/{menu_name(name, language)} — {t(f'command.{name}', language)}" for name in names]
    lines += ["", t("help.footer", language)]
    await message.reply_text("\n".join(lines), parse_mode=ParseMode.HTML)
