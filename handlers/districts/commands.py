"""/wijk and /wijken in the private chat: coordinators manage districts, chiefs see theirs."""

from __future__ import annotations

import unicodedata

from telegram import Message, Update
from telegram.constants import ParseMode

from handlers.common import note_refused
from handlers.context import BotContext
from handlers.districts.texts import DistrictOutcome, district_reply, overview_messages
from handlers.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from services.languages import GroupLanguageSet
from services.outcomes import Denied

# `/wijk <naam>` creates; these first words choose another action instead.
RENAME, ARCHIVE, RESTORE = "hernoem", "archiveer", "herstel"
PRIVATE, TALLY, NUDGE = "privé", "telling", "herinnering"
# `/wijk taal <naam> <nl|en|…>`: the language of the district's group (issue 16).
LANGUAGE = "taal"
# The value each setting action ends with, and what it sets the setting to.
SETTING_VALUES = {
    PRIVATE: {"aan": True, "uit": False},
    TALLY: {"tonen": True, "verbergen": False},
    NUDGE: {"aan": True, "uit": False},
}
# Keyboards without accents send 'prive'.
_ALIASES = {"prive": PRIVATE}


def command_rest(text: str | None) -> str:
    """Return what follows the command word ('/wijk@bot  a b' → 'a b')."""
    parts = (text or "").split(None, 1)
    return parts[1].strip() if len(parts) > 1 else ""


def parse_wijk(rest: str) -> tuple[str, str, str]:
    """Split /wijk's arguments into (action, name, new name or value); action '' creates."""
    first, *more = rest.split(None, 1) or [""]
    action, tail = unicodedata.normalize("NFC", first.casefold()), "".join(more)
    action = _ALIASES.get(action, action)
    if action == RENAME:
        old, equals, new = tail.partition("=")
        # Without '=' the request cannot be understood: an empty name makes the service
        # answer with the usage (coordinators) or the refusal (everybody else).
        return (RENAME, old.strip(), new.strip()) if equals else (RENAME, "", "")
    if action in (ARCHIVE, RESTORE):
        return action, tail.strip(), ""
    if action == LANGUAGE:
        parts = tail.rsplit(None, 1)
        if len(parts) == 2 and parts[1].casefold() in LANGUAGES:
            return LANGUAGE, parts[0].strip(), parts[1].casefold()
        return LANGUAGE, "", ""
    if action in SETTING_VALUES:
        # The name may have spaces; the value is the last word.
        parts = tail.rsplit(None, 1)
        if len(parts) == 2 and parts[1].casefold() in SETTING_VALUES[action]:
            return action, parts[0].strip(), parts[1].casefold()
        # A missing or unknown value: as with rename, an empty name gets the usage.
        return action, "", ""
    return "", rest, ""


async def wijk(update: Update, context: BotContext) -> None:
    """Create, rename, archive, restore or configure a district (coordinators only)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    actor = services.actor(user.id, user.full_name)
    action, name, value = parse_wijk(command_rest(message.text))
    outcome: DistrictOutcome
    if action == LANGUAGE:
        await _district_language(update, context, message, name, value)
        return
    if action == RENAME:
        outcome = await services.districts.rename_district(actor, name, value)
    elif action == ARCHIVE:
        outcome = await services.districts.archive_district(actor, name)
    elif action == RESTORE:
        outcome = await services.districts.unarchive_district(actor, name)
    elif action == PRIVATE:
        ask = SETTING_VALUES[PRIVATE].get(value)
        outcome = await services.districts.configure_district(actor, name, ask_privately=ask)
    elif action == TALLY:
        show = SETTING_VALUES[TALLY].get(value)
        outcome = await services.districts.configure_district(actor, name, show_tally=show)
    elif action == NUDGE:
        nudge = SETTING_VALUES[NUDGE].get(value)
        outcome = await services.districts.configure_district(actor, name, group_nudge=nudge)
    else:
        outcome = await services.districts.create_district(actor, name)
    if isinstance(outcome, Denied):  # first: once told, the refusal is on record
        await note_refused(update, context, "/wijk")
    await _reply(message, district_reply(outcome, context.language))


async def _district_language(
    update: Update, context: BotContext, message: Message, name: str, language: str
) -> None:
    """`/wijk taal <naam> <taal>`: a coordinator sets the language of a district's group."""
    services, lang = context.services, context.language
    user = update.effective_user
    assert user is not None
    actor = services.actor(user.id, user.full_name)
    if actor.is_coordinator and not name:
        await _reply(message, t("language.district_usage", lang, codes=", ".join(LANGUAGES)))
        return
    outcome = await services.languages.set_district(actor, name, language or DEFAULT_LANGUAGE)
    if isinstance(outcome, GroupLanguageSet):
        own = t("language.own_name", outcome.language)
        await _reply(
            message, t("language.district_chosen", lang, name=outcome.district, chosen=own)
        )
        return
    if isinstance(outcome, Denied):
        await note_refused(update, context, "/wijk")
    await _reply(message, district_reply(outcome, lang))


async def wijken(update: Update, context: BotContext) -> None:
    """List the districts with their group and people: all for coordinators, own for chiefs."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    services = context.services
    rows = await services.districts.list_districts(services.actor(user.id, user.full_name))
    for text in overview_messages(rows, context.language):
        await _reply(message, text)


async def _reply(message: Message, text: str) -> None:
    """Answer in the chat the command came from."""
    await message.reply_text(text, parse_mode=ParseMode.HTML)
