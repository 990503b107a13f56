"""/privacy, /mijngegevens, /vergeetmij and /akkoord in the private chat."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from handlers.common import in_own_chat, reply
from handlers.context import BotContext
from handlers.i18n import Safe, t
from handlers.privacy.keyboards import ForgetPress, forget_keyboard
from handlers.privacy.texts import copy_json, copy_text, privacy_text
from handlers.render import local_time
from services.privacy import Erased, NotKnown, TooSoon
from services.privacy.agreement import NoMembership

log = logging.getLogger(__name__)


async def privacy(update: Update, context: BotContext) -> None:
    """Say what is stored, why, who sees it, how long, the person's rights, and whom to ask."""
    message = update.effective_message
    if message is None:
        return
    lang = context.language
    await reply(message, privacy_text(context.services.privacy.policy, lang))


async def my_data(update: Update, context: BotContext) -> None:
    """Send the person a copy of everything stored about them, as JSON and as text."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    lang = context.language
    made = await services.privacy.copy(user.id)
    if isinstance(made, NotKnown):
        await reply(message, t("privacy.copy.unknown", lang))
        return
    if isinstance(made, TooSoon):
        when = local_time(made.next_at, services.tz, lang)
        await reply(message, t("privacy.copy.too_soon", lang, when=when))
        return
    stamp = made.made_at.astimezone(services.tz).strftime("%Y-%m-%d")
    files = (
        (f"mijngegevens-{stamp}.json", copy_json(made)),
        (f"mijngegevens-{stamp}.txt", copy_text(made, services.tz, lang)),
    )
    try:
        for index, (name, data) in enumerate(files):
            caption = t("privacy.copy.caption", lang) if index == 0 else None
            await message.reply_document(
                InputFile(data, filename=name), caption=caption, parse_mode=ParseMode.HTML
            )
    except TelegramError as exc:
        log.warning("sending a copy of personal data failed: %s", exc)
        await reply(message, t("privacy.copy.send_failed", lang))


async def forget(update: Update, context: BotContext) -> None:
    """Ask the person to confirm erasure, saying what it ends; strangers hear nothing is kept."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = context.language
    question = await context.services.privacy.erasure_question(user.id)
    if isinstance(question, NotKnown):
        await reply(message, t("privacy.forget.unknown", lang))
        return
    districts = ", ".join(question.districts) or t("privacy.forget.no_districts", lang)
    mode = "anonymise" if question.answers_kept_anonymously else "delete"
    answers = Safe(t(f"privacy.erasure.answers.{mode}", lang))
    await message.reply_text(
        t("privacy.forget.question", lang, districts=districts, answers=answers),
        parse_mode=ParseMode.HTML,
        reply_markup=forget_keyboard(lang),
    )


async def forget_press(update: Update, context: BotContext) -> None:
    """Erase the presser (never anyone else), or leave everything as it is."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    lang = context.language
    parsed = ForgetPress.parse(query.data)
    if parsed is None or not in_own_chat(update):
        await query.answer(t("privacy.forget.stale", lang))
        return
    if not parsed.erase:
        await query.answer()
        await query.edit_message_text(t("privacy.forget.kept", lang), parse_mode=ParseMode.HTML)
        return
    outcome = await context.services.privacy.erase(user.id)
    await query.answer()
    if isinstance(outcome, Erased):
        # What this process still holds about them (half-finished wizards) goes too.
        if context.user_data is not None:
            context.user_data.clear()
        context.services.languages.forget(user.id)
        text = t("privacy.forget.done", lang)
    else:
        text = t("privacy.forget.unknown", lang)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML)


async def accept_agreement(update: Update, context: BotContext) -> None:
    """Accept the agreement in force (after being told it changed)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = context.language
    outcome = await context.services.agreement.accept(user.id)
    if isinstance(outcome, NoMembership):
        await reply(message, t("privacy.agreement.nothing", lang))
    elif outcome.changed:
        await reply(message, t("privacy.agreement.accepted", lang, version=outcome.version))
    else:
        await reply(message, t("privacy.agreement.already", lang, version=outcome.version))
