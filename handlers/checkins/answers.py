"""An answer press on a check-in message, and the catch-all for buttons nobody knows.

The callback data is an untrusted id: the service checks the check-in, the district, the
pressed message, the presser and the code, and commits before we answer. Each person only
sees a short private answer (a toast); the group's tally is edited by the tally job.

Presses that arrive together are stored in one transaction by the service's PressBatch
(services/checkins/presses.py); each is answered only after that commit.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from handlers.checkins.answer_keyboards import AnswerPress
from handlers.checkins.followup_keyboards import blank_state, panel_keyboard, panel_text
from handlers.common import label, note_refused
from handlers.context import BotContext
from handlers.render import local_time
from handlers.send_priority import BulkQueue
from services.checkins.outcomes import (
    AnswerOutcome,
    Closed,
    NotAMember,
    NotForYou,
    OffScale,
    Press,
    Recorded,
    Unknown,
)
from services.checkins.scale import Scale

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


@lru_cache(maxsize=256)
def recorded_toast(
    key: str,
    label_key: str,
    until: datetime,
    tz: ZoneInfo,
    lang: str | None,
    practice: bool = False,
) -> str:
    """The toast of a stored press: a burst shows the same few thousands of times."""
    when = local_time(until, tz, lang)
    text = toast(key, lang, label=label(label_key, lang), until=when)
    if practice:  # "🧪 Oefening — telt niet mee" first: the toast may be cut at its end
        text = toast("practice.toast", lang, mark=label("practice.mark", lang), text=text)
    return text


def answer_text(outcome: AnswerOutcome, tz: ZoneInfo, lang: str | None) -> str:
    """What the presser reads after the service decided."""
    match outcome:
        case Recorded():
            key = "answer.recorded" if outcome.first_time else "answer.same"
            if outcome.changed:
                key = "answer.changed"
            return recorded_toast(
                key, outcome.label_key, outcome.changeable_until, tz, lang, outcome.practice
            )
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
        await stale_answer(query, context.language)
        await note_refused(update, context, "press")
        return
    services = context.services
    message = query.message
    outcome = await services.checkins.presses.record(
        Press(
            user.id,
            parsed.checkin,
            parsed.district,
            message.message_id,
            parsed.code,
            message.chat.id,
        )
    )
    # Only now: the service has committed, so what the toast says is stored.
    await query.answer(answer_text(outcome, services.tz, context.language))
    if isinstance(outcome, NotForYou | Unknown | OffScale):  # forged, or pressed long after
        await note_refused(update, context, "press")
    if isinstance(outcome, Recorded) and outcome.first_time:
        # Not awaited here: under a burst the panel waits its turn under the flood limits,
        # and this person's next update (and the update slot) need not wait with it.
        # Bulk: after a burst thousands wait, and they must not hold up the groups' tallies;
        # queued, not a task each, so a press does not pay for a send made minutes later.
        offers(context).put(functools.partial(offer, context, user.id, outcome))


def offers(context: BotContext) -> BulkQueue:
    """The application's queue of follow-up panels to send."""
    data = context.bot_data
    if data.offers is None:
        data.offers = BulkQueue(context.application.create_task)
    return data.offers


@lru_cache(maxsize=256)
def blank_panel(
    checkin_id: int, event: str, district: str, scale: Scale, language: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    """The follow-up panel after a first answer: a district's are all the same, made once."""
    state = blank_state(checkin_id, scale, event=event or None, district=district)
    return panel_text(state, language), panel_keyboard(state, language)


async def offer(context: BotContext, telegram_user_id: int, answer: Recorded) -> None:
    """Send the follow-up panel privately after a first answer; a blocked chat is no crash."""
    if not context.application.running:
        return  # the bot is stopping: it does not wait for panels (see BotApplication.stop)
    services = context.services
    text, keyboard = blank_panel(
        answer.checkin_id,
        answer.event,
        answer.district,
        services.checkins.settings.scale,
        services.languages.of(telegram_user_id),
    )
    try:
        await context.bot.send_message(
            telegram_user_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
        )
    except Forbidden:
        # Blocked (or never started): the answer stands, only the optional depth is lost.
        await services.people.mark_person_unreachable(telegram_user_id)
    except TelegramError:
        log.warning("could not offer the follow-up to %s", telegram_user_id, exc_info=True)


async def unknown_button(update: Update, context: BotContext) -> None:
    """Answer any press no handler above recognised, so no spinner keeps turning."""
    if update.callback_query is not None:
        await stale_answer(update.callback_query, context.language)
