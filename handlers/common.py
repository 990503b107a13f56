"""What the people handlers share: reading names and roles from a command, and rendering
roles, refusals and long lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.constants import MessageLimit, ParseMode

from handlers.context import BotContext
from handlers.i18n import Safe, date, t
from services.access import Actor, Role
from services.outcomes import (
    AmbiguousPerson,
    Denied,
    DistrictArchived,
    PersonNotFound,
    UnknownDistrict,
)

# What people type for a role; the stored values are the Dutch words themselves.
_ROLE_WORDS = {
    "bondgenoot": Role.KEY_FIGURE,
    "sleutelfiguur": Role.KEY_FIGURE,
    "chef": Role.CHIEF,
}
# Straight and typographic double quotes, as phones put them in; not the apostrophe, which
# Dutch names carry ('t Zandpad).
_QUOTES = '"“”„'


def parse_role(word: str) -> Role | None:
    """Read a role word ('bondgenoot', 'chef'), or None if it is none."""
    return _ROLE_WORDS.get(word.strip().casefold())


def split_district(text: str) -> tuple[str, str]:
    """Split '"Kanaleneiland Noord" Fatima Z' or 'Overvecht Fatima Z' into district and rest.

    A district name of several words must be quoted when more follows it; otherwise the
    first word is the district.
    """
    text = text.strip()
    if text[:1] in _QUOTES:
        end = next((i for i in range(1, len(text)) if text[i] in _QUOTES), -1)
        if end > 0:
            return text[1:end].strip(), text[end + 1 :].strip()
    head, _, rest = text.partition(" ")
    return head.strip(_QUOTES), rest.strip()


def unquote(text: str) -> str:
    """Take a whole argument as one name, dropping quotes around it."""
    return text.strip().strip(_QUOTES).strip()


def person_ref(text: str) -> int | str:
    """A person named by their numeric Telegram id, or by name."""
    text = unquote(text)
    # isascii: str.isdigit() also accepts '²', which int() refuses.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else text


def arguments(context: BotContext) -> str:
    """The text after the command, words separated by single spaces."""
    return " ".join(context.args or [])


def actor_of(update: Update, context: BotContext) -> Actor | None:
    """The person behind the update, as the services know actors."""
    user = update.effective_user
    if user is None:
        return None
    return context.services.actor(user.id, user.full_name)


def in_own_chat(update: Update) -> bool:
    """Tell whether a press came from the presser's private chat with the bot.

    A forged press can name any bot message, a group's included; answering it there would
    edit a message other people rely on.
    """
    chat, user = update.effective_chat, update.effective_user
    return chat is not None and user is not None and chat.id == user.id


def role_name(role: Role | str, language: str | None) -> str:
    """Show a role ('bondgenoot', 'chef') in the reader's language."""
    return t(f"role.{Role(role).value}", language)


def label(key: str, language: str | None, **values: object) -> str:
    """A button label: plain text, so names are not HTML-escaped."""
    return t(key, language, **{k: Safe(str(v)) for k, v in values.items()})


def local_date(value: datetime, tz: ZoneInfo, language: str | None) -> str:
    """Show an aware datetime's local date, e.g. '3 dec 2026' or 'Dec 3, 2026'."""
    return date(value, tz, language)


def refusal(
    outcome: Denied | UnknownDistrict | DistrictArchived | PersonNotFound | AmbiguousPerson,
    language: str | None,
) -> str:
    """The one line for an outcome that stops a command (unknown district only to coordinators)."""
    match outcome:
        case UnknownDistrict(name=name, suggestions=suggestions) if suggestions:
            return t(
                "people.unknown_district", language, name=name, suggestions=", ".join(suggestions)
            )
        case UnknownDistrict(name=name):
            return t("people.unknown_district_no_suggestions", language, name=name)
        case DistrictArchived(name=name):
            return t("people.district_archived", language, district=name)
        case PersonNotFound(ref=ref):
            return t("people.person_not_found", language, ref=ref)
        case AmbiguousPerson(candidates=candidates):
            lines = [
                t("people.candidate", language, name=c.display_name, id=c.telegram_user_id)
                for c in candidates
            ]
            return "\n".join([t("people.ambiguous", language), *lines])
        case _:
            return t("people.denied", language)


def chunks(lines: Iterable[str], limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Join lines into as few messages as Telegram's length limit allows."""
    out: list[str] = []
    current = ""
    for line in lines:
        joined = f"{current}\n{line}" if current else line
        if current and len(joined) > limit:
            out.append(current)
            joined = line
        current = joined
    if current:
        out.append(current)
    return out


async def reply_lines(message: Message, lines: Sequence[str]) -> None:
    """Reply with these lines, split over several messages when they are long."""
    for text in chunks(lines):
        await message.reply_text(text, parse_mode=ParseMode.HTML, disable_web_page_preview=True)


async def reply(message: Message, text: str) -> None:
    """Reply in HTML without link previews."""
    await message.reply_text(text, parse_mode=ParseMode.HTML, disable_web_page_preview=True)


async def note_refused(update: Update, context: BotContext, what: str) -> None:
    """Count a refused command or a forged press in the audit log (rate-limited per person)."""
    user = update.effective_user
    if user is not None:
        await context.services.refusals.refused(user.id, what)


async def refuse(
    update: Update,
    context: BotContext,
    message: Message,
    outcome: Denied | UnknownDistrict | DistrictArchived | PersonNotFound | AmbiguousPerson,
    what: str,
) -> None:
    """Say why a command did nothing; a refusal by role is also counted in the audit log."""
    if isinstance(outcome, Denied):  # first: once told, the person's refusal is on record
        await note_refused(update, context, what)
    await reply(message, refusal(outcome, context.language))
