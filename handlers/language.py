"""Languages: settled at first contact, /taal (/language) for a person or a district group."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from handlers.callback_data import CallbackData
from handlers.common import reply
from handlers.context import BotContext
from handlers.i18n import LANGUAGES, t
from services.languages import GroupLanguageSet, GroupNotLinked, Languages

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LanguagePick(CallbackData, prefix="taal"):
    """A language button under /taal: for oneself, or (group) for the district group."""

    language: str
    group: bool


def language_keyboard(group: bool) -> InlineKeyboardMarkup:
    """One button per language, each in its own language's name."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("language.own_name", lang), callback_data=LanguagePick(lang, group).encode()
                )
            ]
            for lang in LANGUAGES
        ]
    )


async def settle(languages: Languages, update: Update) -> None:
    """Before any handler: someone not seen since start-up gets their language settled.

    Called for every update (bot/app.py), outside PTB's handler machinery: for everyone
    already known (every answer press, mostly) it costs one look in memory.
    """
    user = update.effective_user
    if user is not None and not languages.knows(user.id) and not user.is_bot:
        try:
            await languages.first_contact(user.id, user.language_code)
        except (SQLAlchemyError, OSError) as exc:
            # The database is away: this update reads the configured language, the next one
            # settles it; the handlers meet (and report) the outage themselves.
            log.warning("language of a new sender not settled: %s", type(exc).__name__)


async def taal(update: Update, context: BotContext) -> None:
    """/taal: the language buttons; in a district group, a coordinator's for the group."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    lang = context.language
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(
            t("language.choose", lang),
            parse_mode=ParseMode.HTML,
            reply_markup=language_keyboard(group=False),
        )
        return
    user = update.effective_user
    if user is None or not context.services.actor(user.id, user.full_name).is_coordinator:
        await reply(message, t("language.group_denied", lang))
        return
    await message.reply_text(
        t("language.group_choose", lang),
        parse_mode=ParseMode.HTML,
        reply_markup=language_keyboard(group=True),
    )


async def press(update: Update, context: BotContext) -> None:
    """A language button: store the choice, confirm in the new language."""
    query, chat = update.callback_query, update.effective_chat
    if query is None:
        return
    user, services = query.from_user, context.services
    picked = LanguagePick.parse(query.data)
    if picked is None or picked.language not in LANGUAGES or chat is None:
        await query.answer(t("language.stale", context.language))
        return
    new = picked.language
    if not picked.group:
        if chat.type != ChatType.PRIVATE:
            await query.answer(t("language.stale", context.language))
            return
        await services.languages.choose(user.id, new)
        await query.answer(t("language.own_name", new))
        await _edit(query.message, t("language.chosen", new))
        return
    actor = services.actor(user.id, user.full_name)
    outcome = await services.languages.set_group(chat.id, user.id, actor.is_coordinator, new)
    if isinstance(outcome, GroupLanguageSet):
        await query.answer(t("language.own_name", new))
        await _edit(query.message, t("language.group_chosen", new, district=outcome.district))
    elif isinstance(outcome, GroupNotLinked):
        await query.answer(t("language.group_not_linked", context.language), show_alert=True)
    else:
        await query.answer(t("language.group_denied", context.language), show_alert=True)


async def _edit(message: object, text: str) -> None:
    """Replace the question by the confirmation, buttons gone."""
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML)
    except BadRequest as exc:  # a double press: the text is already this one
        log.info("could not edit the language question: %s", exc)
