"""/export in the private chat: what, which period, which districts, which format, names or not.

Each answer edits the one question message; the last one starts the export in the background
(a large file must not hold up everybody else's updates), into a temporary directory that is
removed once the document is sent. The export service checks every choice again — a forged
press can ask, never get — and writes the audit entry.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from handlers import awaiting
from handlers.common import actor_of, in_own_chat, note_refused, reply
from handlers.context import BotContext
from handlers.districts.commands import command_rest
from handlers.exports.draft import (
    CANCEL,
    CUSTOM,
    STEP_ACTIONS,
    ExportDraft,
    choose,
    drop_draft,
    find_draft,
    new_draft,
)
from handlers.exports.keyboards import ExportPress, cancel_keyboard, keyboard
from handlers.exports.texts import caption, file_name, outcome_text, question_text
from handlers.i18n import t, tn
from services.access import Actor
from services.exports import Exported
from services.insight import PeriodProblem, parse_period
from services.outcomes import Denied

log = logging.getLogger(__name__)

PERIOD = "export.period"


async def export(update: Update, context: BotContext) -> None:
    """Ask the first question of a new export (coordinators, and chiefs for their districts)."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    choices = await context.services.insight.export_choices(actor)
    if isinstance(choices, Denied):
        await note_refused(update, context, "/export")
        await reply(message, t("export.not_allowed", lang))
        return
    rest = command_rest(message.text).lower()
    if rest and rest not in ("oefening", "practice"):
        await reply(message, t("practice.export.usage", lang))
        return
    draft = new_draft(context, choices)
    draft.practice = bool(rest)  # practice check-ins come along, marked (issue 17)
    sent = await message.reply_text(
        question_text(draft, lang),
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard(draft, lang),
    )
    draft.message_id = sent.message_id


async def press(update: Update, context: BotContext) -> None:
    """Take one answer to the current question, then ask the next or run the export."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    lang = context.language
    parsed = ExportPress.parse(query.data)
    draft = find_draft(context, parsed.draft) if parsed and in_own_chat(update) else None
    on_question = (
        draft is not None
        and query.message is not None
        and (query.message.message_id == draft.message_id)
    )
    if parsed is None or draft is None or draft.running or not on_question:
        await query.answer(t("export.stale", lang))
        return
    if parsed.action == CANCEL:
        drop_draft(context, draft.id)
        awaiting.clear(context)
        await query.answer()
        await _edit(query, t("export.cancelled", lang))
        return
    if parsed.action not in STEP_ACTIONS[draft.step()]:
        await query.answer(t("export.stale", lang))
        return
    if parsed.action == CUSTOM:
        awaiting.expect(context, PERIOD, draft=draft.id)
        await query.answer()
        text = f"{question_text(draft, lang, ask=False)}\n\n{t('export.ask.custom_period', lang)}"
        await _edit(query, text, cancel_keyboard(draft, lang))
        return
    today = context.services.insight.today()
    if problem := choose(draft, parsed.action, parsed.value, today):
        await query.answer(t(problem, lang), show_alert=problem != "export.stale")
        return
    await query.answer()
    if draft.step() == "ready":
        draft.running = True
        await _edit(
            query, f"{question_text(draft, lang, ask=False)}\n\n{t('export.running', lang)}"
        )
        chat_id = query.message.chat.id if query.message else actor.telegram_user_id
        context.application.create_task(
            run_export(context, actor, draft, chat_id), update=update, name=f"export {draft.id}"
        )
        return
    await _edit(query, question_text(draft, lang), keyboard(draft, lang))


async def _edit(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        # Pressing the choice already ticked ("✓ Alle wijken") asks for the same screen.
        if "not modified" not in exc.message.lower():
            raise


@awaiting.consumer(PERIOD)
async def take_period(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """A period typed in the private chat ('2026-01-01 tot 2026-03-31')."""
    message = update.effective_message
    if message is None:
        return
    lang = context.language
    draft = find_draft(context, str(data.get("draft")))
    if draft is None or draft.running or draft.step() != "period":
        await reply(message, t("export.expired", lang))
        return
    period = parse_period(message.text or "")
    if isinstance(period, PeriodProblem):
        awaiting.expect(context, PERIOD, draft=draft.id)
        await reply(message, t(f"export.period_problem.{period.reason}", lang))
        return
    draft.period, draft.preset = period, None
    if draft.message_id is not None:
        # The question moves below the typed period; only the newest one has live buttons.
        try:
            await context.bot.edit_message_reply_markup(
                message.chat_id, draft.message_id, reply_markup=None
            )
        except BadRequest:
            pass
    sent = await message.reply_text(
        question_text(draft, lang), parse_mode=ParseMode.HTML, reply_markup=keyboard(draft, lang)
    )
    draft.message_id = sent.message_id


async def run_export(context: BotContext, actor: Actor, draft: ExportDraft, chat_id: int) -> None:
    """Export into a temporary directory, send the file, and remove it again."""
    services, lang = context.services, context.language
    name = file_name(draft, services.insight.today(), lang)
    folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="bondgenoten-export-"))
    try:
        outcome = await services.exports.export(actor, draft.request(), folder / name, lang)
        problem = outcome_text(outcome, lang)
        if problem is None and isinstance(outcome, Exported):
            result = await _send(context, chat_id, outcome, draft, lang)
        else:
            result = problem or t("export.failed", lang)
    except Exception:
        # A background task: nobody else would tell the person, whose question would
        # say "bezig" for ever.
        log.exception("export %s for %s failed", draft.id, actor.telegram_user_id)
        result = t("export.failed", lang)
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
        drop_draft(context, draft.id)
    text = f"{question_text(draft, lang, ask=False)}\n\n{result}"
    try:
        await context.bot.edit_message_text(
            text, chat_id=chat_id, message_id=draft.message_id, parse_mode=ParseMode.HTML
        )
    except BadRequest:
        await context.bot.send_message(chat_id, result, parse_mode=ParseMode.HTML)


async def _send(
    context: BotContext, chat_id: int, outcome: Exported, draft: ExportDraft, lang: str
) -> str:
    try:
        await context.bot.send_document(
            chat_id,
            outcome.path,
            filename=outcome.path.name,
            caption=caption(outcome, draft, lang),
            parse_mode=ParseMode.HTML,
            write_timeout=120,
        )
    except TelegramError as exc:
        log.warning("sending export %s failed: %s", outcome.path.name, exc)
        return t("export.send_failed", lang)
    return tn("export.sent", outcome.rows, lang)
