"""The roster in the private chat: /leden, /verwijderen and /rolweg; and a known person who
writes to the bot is reachable again."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ChatMemberHandler

from handlers.common import (
    actor_of,
    arguments,
    local_date,
    parse_role,
    person_ref,
    refuse,
    reply,
    reply_lines,
    role_name,
    split_district,
    unquote,
)
from handlers.context import BotContext
from handlers.i18n import t, tn
from handlers.render import local_time
from services.members import MemberRemoved, RoleTaken, Roster, RosterEntry

log = logging.getLogger(__name__)

# The people commands that only work in the private chat, answered in groups by private_only;
# the privacy rights too (a copy or an erasure never happens in front of the group).
PRIVATE_COMMANDS = (
    "uitnodigen uitnodigingen intrekken leden verwijderen rolweg stoppen afwezig terug "
    "privacy mijngegevens vergeetmij akkoord"
).split()


def roster_line(entry: RosterEntry, tz: ZoneInfo, language: str | None) -> str:
    """One member as chiefs and coordinators see them."""
    last = (
        local_time(entry.last_answer_at, tz, language)
        if entry.last_answer_at is not None
        else t("roster.no_answer", language)
    )
    reachable = "roster.reachable" if entry.privately_reachable else "roster.unreachable"
    line = t(
        "roster.line",
        language,
        name=entry.name,
        id=entry.telegram_user_id,
        role=role_name(entry.role, language),
        joined=local_date(entry.joined_at, tz, language),
        reachable=t(reachable, language),
        last_answer=last,
    )
    if entry.away and entry.away_until is not None:
        until = local_date(entry.away_until, tz, language)
        line += "\n" + t("roster.away_until", language, date=until)
    elif entry.away:
        line += "\n" + t("roster.away", language)
    return line


def roster_lines(roster: Roster, tz: ZoneInfo, language: str | None) -> list[str]:
    """A district's roster: a header, whether it is archived, then one line per member."""
    if not roster.members:
        return [t("roster.empty", language, district=roster.district)]
    lines = [tn("roster.header", len(roster.members), language, district=roster.district)]
    if roster.archived:
        lines.append(t("roster.archived", language))
    return lines + [roster_line(entry, tz, language) for entry in roster.members]


async def roster(update: Update, context: BotContext) -> None:
    """Show who belongs to a district (its chiefs and coordinators)."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    district = unquote(arguments(context))
    if not district:
        await reply(message, t("roster.usage", lang))
        return
    outcome = await context.services.members.roster(actor, district)
    if not isinstance(outcome, Roster):
        await refuse(update, context, message, outcome, "/leden")
        return
    await reply_lines(message, roster_lines(outcome, context.services.tz, lang))


async def remove(update: Update, context: BotContext) -> None:
    """Take a person out of a district (coordinators); the person is told by the service."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    district, who = split_district(arguments(context))
    if not district or not who:
        await reply(message, t("remove.usage", lang))
        return
    outcome = await context.services.members.remove_member(actor, district, person_ref(who))
    if not isinstance(outcome, MemberRemoved):
        await refuse(update, context, message, outcome, "/verwijderen")
        return
    text = t(
        "remove.done",
        lang,
        name=outcome.name,
        district=outcome.district,
        role=role_name(outcome.role, lang),
    )
    await reply(message, text)


async def take_role(update: Update, context: BotContext) -> None:
    """Take a role away from a person in every district (coordinators): /rolweg <wie> <rol>."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    *who, last = arguments(context).split() or [""]
    role = parse_role(last)
    if role is None or not who:
        await reply(message, t("rolweg.usage", lang))
        return
    outcome = await context.services.members.take_role(actor, person_ref(" ".join(who)), role)
    if not isinstance(outcome, RoleTaken):
        await refuse(update, context, message, outcome, "/rolweg")
        return
    text = t(
        "rolweg.done",
        lang,
        name=outcome.name,
        role=role_name(outcome.role, lang),
        districts=", ".join(outcome.districts),
    )
    await reply(message, text)


async def person_seen(update: Update, context: BotContext) -> None:
    """Note that a known person wrote privately, so the bot may write to them again."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    try:
        await context.services.people.person_seen(user.id, user.full_name)
    except Exception:
        # Best effort, before the real handler: if the database is down, that handler says
        # so; a second apology for this bookkeeping would only confuse the person.
        log.warning("could not note that %s wrote to the bot", user.id, exc_info=True)


async def bot_blocked_or_unblocked(update: Update, context: BotContext) -> None:
    """Record at once that a person blocked the bot, or made it reachable again."""
    change, user = update.my_chat_member, update.effective_user
    if change is None or user is None:
        return
    if change.new_chat_member.status == ChatMember.BANNED:  # "kicked": they blocked the bot
        await context.services.people.mark_person_unreachable(user.id)
    else:
        await context.services.people.person_seen(user.id, user.full_name)


class PrivateStatusHandler(ChatMemberHandler[BotContext, None]):
    """my_chat_member from private chats only: a person blocked or unblocked the bot."""

    def __init__(self) -> None:
        super().__init__(bot_blocked_or_unblocked, ChatMemberHandler.MY_CHAT_MEMBER)

    def check_update(self, update: object) -> bool:
        """Accept the bot's own status in a private chat."""
        return (
            super().check_update(update)
            and isinstance(update, Update)
            and update.effective_chat is not None
            and update.effective_chat.type == ChatType.PRIVATE
        )


async def private_only(update: Update, context: BotContext) -> None:
    """Answer a people command sent in a group: it only works in the private chat."""
    message = update.effective_message
    if message is not None:
        await reply(message, t("people.private_only", context.language))
