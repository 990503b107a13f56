"""/audit in the private chat: the audit log for coordinators, ten entries a page."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from handlers.callback_data import CallbackData
from handlers.common import actor_of, in_own_chat, label, note_refused, reply
from handlers.context import BotContext
from handlers.i18n import date, t, tn
from services.insight import AuditLine, AuditPage
from services.outcomes import Denied


@dataclass(frozen=True)
class AuditMove(CallbackData, prefix="aud"):
    """Another page of the audit log: older than `before`, or newer than `after` (0: none)."""

    before: int
    after: int


async def audit(update: Update, context: BotContext) -> None:
    """The latest entries of the audit log, with buttons to page (coordinators only)."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    page = await services.insight.audit(actor)
    if isinstance(page, Denied):
        await note_refused(update, context, "/audit")
        await reply(message, t("insight.audit.not_allowed", lang))
        return
    await message.reply_text(
        audit_text(page, services.tz, lang),
        parse_mode=ParseMode.HTML,
        reply_markup=audit_keyboard(page, lang),
    )


async def audit_move(update: Update, context: BotContext) -> None:
    """Show the older or newer page in the same message."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    services, lang = context.services, context.language
    parsed = AuditMove.parse(query.data)
    if parsed is None or not in_own_chat(update):
        await query.answer(t("insight.audit.stale", lang))
        return
    page = await services.insight.audit(
        actor, before=parsed.before or None, after=parsed.after or None
    )
    if isinstance(page, Denied):
        await query.answer(t("insight.audit.not_allowed", lang), show_alert=True)
        return
    await query.answer()
    await query.edit_message_text(
        audit_text(page, services.tz, lang),
        parse_mode=ParseMode.HTML,
        reply_markup=audit_keyboard(page, lang),
    )


def _moment(line: AuditLine, tz: ZoneInfo, language: str | None) -> str:
    return f"{date(line.at, tz, language)} {line.at.astimezone(tz):%H:%M}"


def _short(text: str, limit: int) -> str:
    # Ten entries must fit one message, whatever long names or subjects the log holds.
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _actor(line: AuditLine, language: str | None) -> str:
    if line.actor_telegram_id is None:
        return t("insight.audit.no_actor", language)
    name = _short(line.actor_name or "?", 60)
    return t("insight.audit.actor", language, name=name, id=line.actor_telegram_id)


def _details(line: AuditLine, language: str | None) -> str:
    """The few details worth a line in the chat: an export's format, rows and names."""
    found = []
    if isinstance(line.details.get("format"), str):
        found.append(str(line.details["format"]).upper())
    rows = line.details.get("rows")
    if isinstance(rows, int) and not isinstance(rows, bool):
        found.append(tn("insight.audit.rows", rows, language))
    if line.details.get("names") is True:
        found.append(t("insight.audit.names", language))
    count = line.details.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        found.append(tn("insight.audit.times", count, language))
    return ", ".join(found)


def audit_line(line: AuditLine, tz: ZoneInfo, language: str | None) -> str:
    """'28 nov 2026 14:02 · Cor (id 1001)\nexport.answers — chat · CSV, 42 rijen'."""
    text = t(
        "insight.audit.entry",
        language,
        at=_moment(line, tz, language),
        actor=_actor(line, language),
        action=line.action,
        subject=_short(line.subject, 120) or "–",
    )
    details = _details(line, language)
    return f"{text} · {details}" if details else text


def audit_text(page: AuditPage, tz: ZoneInfo, language: str | None) -> str:
    """A page of the audit log."""
    if not page.entries:
        return t("insight.audit.empty", language)
    lines = [t("insight.audit.head", language)]
    for entry in page.entries:
        lines += ["", audit_line(entry, tz, language)]
    return "\n".join(lines)


def audit_keyboard(page: AuditPage, language: str | None) -> InlineKeyboardMarkup | None:
    """'« Nieuwer' and 'Ouder »', where there is more that way."""
    buttons = []
    if page.newer is not None:
        data = AuditMove(0, page.newer).encode()
        buttons.append(
            InlineKeyboardButton(label("insight.audit.newer", language), callback_data=data)
        )
    if page.older is not None:
        data = AuditMove(page.older, 0).encode()
        buttons.append(
            InlineKeyboardButton(label("insight.audit.older", language), callback_data=data)
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None
