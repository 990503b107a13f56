"""An answer press on a check-in message, and the catch-all for buttons nobody knows.

The callback data is an untrusted id: the service checks the check-in, the district, the
pressed message, the presser and the code, and commits before we answer. Each person only
sees a short private answer (a toast); the group's tally is edited by the tally job.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from handlers.checkin_callbacks import AnswerPress
from handlers.context import BotContext
from handlers.followup_keyboards import blank_state, panel_keyboard, panel_text
from handlers.people_common import label
from handlers.render import local_time
from services.checkins.outcomes import AnswerOutcome, Closed, NotAMember, Recorded

log = logging.getLogger(__name__)

# Telegram refuses callback answers longer than this.
TOAST_LIMIT = 200


def toast(key: str, language: str | None, **values: object) -> str:
    """A callback answer: plain text (nothing HTML-escaped), at most 200 characters."""
    text = label(key, language, **values)
    return text if len(text) <= TOAST_LIMIT else text[: TOAST_LIMIT - 1] + "…"


async def stale_answer(query: CallbackQuery, language: str | None) -> None:
    """Answer a forged, malformed or outdated press in one short line."""
    await query.answer(toast("answer.stale", language))


def answer_text(outcome: AnswerOutcome, tz: ZoneInfo, lang: str | None) -> str:
    """What the presser reads after the service decided."""
    match outcome:
        case Recorded():
            key = "answer.recorded" if outcome.first_time else "answer.same"
            if outcome.changed:
                key = "answer.changed"
            until = local_time(outcome.changeable_until, tz, lang)
            return toast(key, lang, label=label(outcome.label_key, lang), until=until)
        case Closed():
            return toast("answer.closed", lang)
        case NotAMember(district=district):
            return toast("answer.not_a_member", lang, district=district)
        case _:  # NotForYou, Unknown, OffScale: forged or outdated
            return toast("answer.stale", lang)


async def press(update: Update, context: BotContext) -> None:
    """Record an answer press, then confirm privately; a first answer gets the follow-up."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    parsed = AnswerPress.parse(query.data)
    if parsed is None or query.message is None:
        await stale_answer(query, context.services.language)
        return
    services = context.services
    outcome = await services.checkins.answers.record_answer(
        user.id,
        parsed.checkin,
        parsed.district,
        query.message.message_id,
        parsed.code,
        chat_id=query.message.chat.id,
    )
    # Only now: the service has committed, so what the toast says is stored.
    await query.answer(answer_text(outcome, services.tz, services.language))
    if isinstance(outcome, Recorded) and outcome.first_time:
        await offer(context, user.id, outcome.checkin_id)


async def offer(context: BotContext, telegram_user_id: int, checkin_id: int) -> None:
    """Send the follow-up panel privately after a first answer; a blocked chat is no crash."""
    services = context.services
    lang = services.language
    state = blank_state(checkin_id, services.checkins.settings.scale)
    try:
        await context.bot.send_message(
            telegram_user_id,
            panel_text(state, lang),
            parse_mode=ParseMode.HTML,
            reply_markup=panel_keyboard(state, lang),
        )
    except Forbidden:
        # Blocked (or never started): the answer stands, only the optional depth is lost.
        await services.people.mark_person_unreachable(telegram_user_id)
    except TelegramError:
        log.warning("could not offer the follow-up to %s", telegram_user_id, exc_info=True)


async def unknown_button(update: Update, context: BotContext) -> None:
    """Answer any press no handler above recognised, so no spinner keeps turning."""
    if update.callback_query is not None:
        await stale_answer(update.callback_query, context.services.language)
