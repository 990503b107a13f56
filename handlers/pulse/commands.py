"""/puls in the private chat: schedule a recurring pulse, list them, pause, resume, delete."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.constants import ParseMode

from handlers.checkins.wizard_texts import refused_lines
from handlers.common import actor_of, arguments, in_own_chat, note_refused, reply
from handlers.context import BotContext
from handlers.i18n import t
from handlers.pulse.keyboards import PulsePress, list_keyboard
from handlers.pulse.parse import PulseArgs, parse
from handlers.pulse.texts import line_block, refusal_text
from services.outcomes import Denied
from services.pulse.outcomes import PulseChanged, PulseRequest, PulseScheduled
from services.pulse.service import period


def _default_question(every_weeks: int, language: str | None) -> str:
    if every_weeks == 0:
        return t("pulse.question.monthly", language)
    if every_weeks == 1:
        return t("pulse.question.weekly", language)
    return t("pulse.question.weeks", language)


def _request(args: PulseArgs, default_duration: timedelta, language: str | None) -> PulseRequest:
    return PulseRequest(
        every_weeks=args.every_weeks,
        weekday=args.weekday,
        at=args.at,
        duration=args.duration or min(default_duration, period(args.every_weeks)),
        question=args.question or _default_question(args.every_weeks, language),
        week_of_month=args.week_of_month,
        districts=args.districts,
    )


async def puls(update: Update, context: BotContext) -> None:
    """Without arguments: list the pulses with their buttons; with: schedule a new one."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    given = arguments(context)
    if not given:
        await _send_list(update, context)
        return
    args = parse(given)
    if isinstance(args, str):
        await reply(message, t(f"pulse.invalid.{args}", lang))
        return
    request = _request(args, services.checkin_settings.default_duration, lang)
    outcome = await services.pulses.schedule(actor, request)
    if isinstance(outcome, PulseScheduled):
        lines = [t("pulse.scheduled", lang), "", *line_block(outcome.line, services.tz, lang)]
        if outcome.refused:
            lines += ["", t("pulse.refused", lang), *refused_lines(outcome.refused, lang)]
        await reply(message, "\n".join(lines))
        return
    if isinstance(outcome, Denied):
        await note_refused(update, context, "/puls")
    await reply(message, refusal_text(outcome, request.question, lang))


async def _send_list(update: Update, context: BotContext) -> None:
    message, actor = update.effective_message, actor_of(update, context)
    assert message is not None and actor is not None
    services, lang = context.services, context.language
    lines = await services.pulses.listing(actor)
    if isinstance(lines, Denied):
        await note_refused(update, context, "/puls")
        await reply(message, t("pulse.denied", lang))
        return
    if not lines:
        await reply(
            message, "\n".join([t("pulse.none", lang), "", t("pulse.invalid.usage", lang)])
        )
        return
    text = [t("pulse.list.head", lang)]
    for line in lines:
        text += ["", *line_block(line, services.tz, lang)]
    await message.reply_text(
        "\n".join(text), parse_mode=ParseMode.HTML, reply_markup=list_keyboard(lines, lang)
    )


async def press(update: Update, context: BotContext) -> None:
    """Pause, resume or delete a schedule from the list; the list shows the result."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    services, lang = context.services, context.language
    parsed = PulsePress.parse(query.data)
    if parsed is None or not in_own_chat(update):
        await query.answer(t("pulse.stale", lang))
        return
    outcome = await services.pulses.change(actor, parsed.schedule, parsed.action)
    if not isinstance(outcome, PulseChanged):
        await note_refused(update, context, "/puls")
        await query.answer(t("pulse.stale", lang), show_alert=True)
        return
    await query.answer(t(f"pulse.{outcome.action}", lang, id=parsed.schedule))
    lines = await services.pulses.listing(actor)
    if isinstance(lines, Denied) or not lines:
        await query.edit_message_text(t("pulse.none", lang), parse_mode=ParseMode.HTML)
        return
    text = [t("pulse.list.head", lang)]
    for line in lines:
        text += ["", *line_block(line, services.tz, lang)]
    await query.edit_message_text(
        "\n".join(text), parse_mode=ParseMode.HTML, reply_markup=list_keyboard(lines, lang)
    )
