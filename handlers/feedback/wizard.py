"""/terugkoppeling in the private chat: pick a closed check-in, write, preview, send.

Also reached from the button under a closing summary. The draft (check-in, districts,
text) lives in the person's user_data: after a restart its buttons say it is gone, and
nothing half-done was stored. The service checks everything again on sending.
"""

from __future__ import annotations

from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode

from handlers import awaiting
from handlers.checkins.closing import parse_id
from handlers.common import actor_of, arguments, in_own_chat, note_refused, reply
from handlers.context import BotContext
from handlers.feedback.jobs import start_sending
from handlers.feedback.keyboards import (
    CANCEL,
    EDIT,
    SEND,
    TOGGLE,
    WRITE,
    FeedbackPress,
    choose_keyboard,
    preview_keyboard,
)
from handlers.feedback.texts import preview_text, prompt_text, refusal_text
from handlers.i18n import t
from services.access import Actor
from services.checkins.outcomes import Unknown
from services.feedback.outcomes import FeedbackStored, FeedbackTarget
from services.feedback.service import MAX_TEXT
from services.outcomes import Denied

_KEY = "feedback.draft"
TEXT = "feedback.text"


def _draft(context: BotContext, checkin_id: int) -> dict[str, Any] | None:
    found = None if context.user_data is None else context.user_data.get(_KEY)
    return found if isinstance(found, dict) and found.get("checkin") == checkin_id else None


def _drop(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(_KEY, None)


async def _begin(
    update: Update, context: BotContext, actor: Actor, checkin_id: int, message: Message
) -> str | None:
    """Start a draft and ask for the text; return a refusal line instead when it cannot."""
    services, lang = context.services, context.language
    target = await services.feedback.target(actor, checkin_id)
    if not isinstance(target, FeedbackTarget):
        if isinstance(target, Denied | Unknown):  # not theirs, or a made-up number
            await note_refused(update, context, "/terugkoppeling")
        return refusal_text(target, checkin_id, services.tz, lang)
    if context.user_data is not None:
        context.user_data[_KEY] = {
            "checkin": target.checkin_id,
            "event": target.event,
            "districts": [(d.district_id, d.name) for d in target.districts],
            "selected": [d.district_id for d in target.districts],
            "text": None,
        }
    awaiting.expect(context, TEXT, checkin=target.checkin_id)
    await message.reply_text(prompt_text(target, lang), parse_mode=ParseMode.HTML)
    return None


async def terugkoppeling(update: Update, context: BotContext) -> None:
    """Write feedback on a closed check-in: the one given, the only one, or pick from a list."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    given = arguments(context)
    checkin_id = parse_id(given) if given else None
    if given and checkin_id is None:
        await reply(message, t("feedback.usage", lang))
        return
    if checkin_id is None:
        choices = await services.feedback.choices(actor)
        if not choices:
            await reply(message, t("feedback.none", lang))
            return
        if len(choices) > 1:
            pairs = [(c.checkin_id, c.event) for c in choices]
            await message.reply_text(
                t("feedback.choose", lang),
                parse_mode=ParseMode.HTML,
                reply_markup=choose_keyboard(pairs, lang),
            )
            return
        checkin_id = choices[0].checkin_id
    refused = await _begin(update, context, actor, checkin_id, message)
    if refused is not None:
        await reply(message, refused)


@awaiting.consumer(TEXT)
async def take_text(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """The feedback text, typed in the private chat: show the preview with the districts."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    lang = context.language
    checkin_id = int(str(data.get("checkin")))
    draft = _draft(context, checkin_id)
    if draft is None:
        await reply(message, t("feedback.gone", lang))
        return
    text = message.text.strip()
    if not text or len(text) > MAX_TEXT:
        key = "feedback.empty" if not text else "feedback.too_long"
        await reply(message, t(key, lang, limit=MAX_TEXT, length=len(text)))
        awaiting.expect(context, TEXT, checkin=checkin_id)
        return
    draft["text"] = text
    await _show_preview(message, context, draft)


async def _show_preview(message: Message, context: BotContext, draft: dict[str, Any]) -> None:
    services, lang = context.services, context.language
    districts = [(int(i), str(n)) for i, n in draft["districts"]]
    preview = preview_text(
        draft["checkin"], draft["event"], districts[0][1], draft["text"], services.tz, lang
    )
    keyboard = preview_keyboard(draft["checkin"], districts, draft["selected"], lang)
    await message.reply_text(preview, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def press(update: Update, context: BotContext) -> None:
    """A feedback button: start writing, toggle a district, send, rewrite or cancel."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    lang = context.language
    parsed = FeedbackPress.parse(query.data)
    if parsed is None or not in_own_chat(update) or not isinstance(query.message, Message):
        await query.answer(t("feedback.stale", lang))
        await note_refused(update, context, "press")  # forged, or on someone else's message
        return
    if parsed.action == WRITE:
        refused = await _begin(update, context, actor, parsed.checkin, query.message)
        await query.answer(refused[:200] if refused else None, show_alert=refused is not None)
        return
    draft = _draft(context, parsed.checkin)
    if draft is None or draft["text"] is None:
        await query.answer(t("feedback.gone", lang), show_alert=True)
        return
    if parsed.action == TOGGLE:
        await _toggle(query, draft, parsed.value, lang)
    elif parsed.action == EDIT:
        awaiting.expect(context, TEXT, checkin=parsed.checkin)
        await query.answer()
        await query.message.reply_text(t("feedback.rewrite", lang))
    elif parsed.action == CANCEL:
        _drop(context)
        awaiting.clear(context)
        await query.answer()
        await query.edit_message_text(t("feedback.cancelled", lang))
    elif parsed.action == SEND:
        await _send(update, query, context, actor, draft)
    else:
        await query.answer(t("feedback.stale", lang))


async def _toggle(query: Any, draft: dict[str, Any], district_id: int, lang: str) -> None:
    districts = [(int(i), str(n)) for i, n in draft["districts"]]
    if district_id not in {i for i, _ in districts}:
        await query.answer(t("feedback.stale", lang))
        return
    selected = set(draft["selected"]) ^ {district_id}
    draft["selected"] = [i for i, _ in districts if i in selected]
    await query.answer()
    keyboard = preview_keyboard(draft["checkin"], districts, draft["selected"], lang)
    await query.edit_message_reply_markup(reply_markup=keyboard)


async def _send(
    update: Update, query: Any, context: BotContext, actor: Actor, draft: dict[str, Any]
) -> None:
    services, lang = context.services, context.language
    if not draft["selected"]:
        await query.answer(t("feedback.pick_one", lang), show_alert=True)
        return
    checkin_id = int(draft["checkin"])
    outcome = await services.feedback.give(actor, checkin_id, draft["text"], draft["selected"])
    _drop(context)
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    if not isinstance(outcome, FeedbackStored):
        if isinstance(outcome, Denied | Unknown):
            await note_refused(update, context, "/terugkoppeling")
        text = refusal_text(outcome, checkin_id, services.tz, lang)
        await query.message.reply_text(text, parse_mode=ParseMode.HTML)
        return
    groups = ", ".join(outcome.groups)
    await query.message.reply_text(
        t("feedback.sending", lang, id=checkin_id, groups=groups), parse_mode=ParseMode.HTML
    )
    # In the background, as a broadcast: many groups wait on the flood limits, and this
    # person's next updates should not wait for them. The report follows when all is sent.
    start_sending(context.application, services, outcome.feedback_id, query.message.chat_id)
