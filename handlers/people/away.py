"""/afwezig [tot <datum>] and /terug in the private chat: a key figure away for a while.

The date is read like the wizard's closing times ("12 december", "12-12", "ma", "morgen"),
in the configured time zone; away ends at the start of that day, so "tot vrijdag" means
back on Friday.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from handlers.checkins.wizard_time import parse_until
from handlers.common import actor_of, arguments, local_date, reply
from handlers.context import BotContext
from handlers.i18n import t
from services.away import AwaySet, Back, InvalidAwayDate
from services.outcomes import Denied

_UNTIL_WORDS = ("tot en met ", "tot ", "until ", "till ")


def parse_away_until(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The start of the day named after 'tot' (local time), or None when it is not a date."""
    cleaned = text.strip().casefold()
    for word in _UNTIL_WORDS:
        if cleaned.startswith(word):
            cleaned = cleaned[len(word) :]
            break
    if not cleaned or any(c == ":" for c in cleaned):
        return None  # a date, not a time: "tot 12:00" is not what /afwezig asks
    return parse_until(f"{cleaned} 0:00", now, tz)


async def afwezig(update: Update, context: BotContext) -> None:
    """Say the person is away, until a date or until /terug."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    given = arguments(context)
    until = None
    if given:
        until = parse_away_until(given, services.clock.now(), services.tz)
        if until is None:
            await reply(message, t("away.usage", lang))
            return
    outcome = await services.away.set_away(actor, until)
    match outcome:
        case AwaySet(until=None):
            await reply(message, t("away.set", lang))
        case AwaySet(until=when) if when is not None:
            await reply(
                message, t("away.set_until", lang, date=local_date(when, services.tz, lang))
            )
        case InvalidAwayDate(problem=problem):
            await reply(message, t(f"away.invalid.{problem}", lang))
        case Denied():
            await reply(message, t("away.denied", lang))


async def terug(update: Update, context: BotContext) -> None:
    """Say the person is back."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    outcome: Back = await context.services.away.set_back(actor)
    await reply(message, t("away.back" if outcome.was_away else "away.not_away", lang))
