"""/peiling in the private chat: a chief's wizard from event to preview to sending.

Each step asks only what is still missing (the event, the districts, how long, the tally),
then shows the preview the service builds — the exact text a group will get — and sends on
'Versturen'. The draft lives in the chief's user_data (handlers/checkins/wizard_draft.py);
the service checks everything again when it stores the check-in.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from handlers import awaiting
from handlers.checkins.jobs import schedule_close, start_broadcast
from handlers.checkins.wizard_draft import (
    CANCEL,
    CUSTOM_TIME,
    SAMPLE,
    SEND,
    STEP_ACTIONS,
    Draft,
    choose,
    drop_draft,
    find_draft,
    new_draft,
)
from handlers.checkins.wizard_flow import EVENT, UNTIL, edit_wizard, show_refusal, show_step
from handlers.checkins.wizard_keyboards import WizardPress, cancel_row
from handlers.checkins.wizard_texts import (
    event_problem,
    nothing_to_send,
    refused_choices,
    sent_text,
    until_problem,
)
from handlers.checkins.wizard_time import parse_until
from handlers.common import actor_of, in_own_chat, note_refused, reply
from handlers.context import BotContext
from handlers.districts.commands import command_rest
from handlers.i18n import t
from services.access import Actor
from services.checkins.outcomes import CheckInStarted, InvalidEvent
from services.outcomes import Denied


async def peiling(update: Update, context: BotContext) -> None:
    """Start the wizard: who may ask which districts, then whatever is still missing."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    choices = await context.services.checkins.start.district_choices(actor)
    if isinstance(choices, Denied):
        await note_refused(update, context, "/peiling")
        await reply(message, t("peiling.not_allowed", lang))
        return
    if not choices:
        await reply(message, t("peiling.no_districts", lang))
        return
    if all(c.refusal is not None for c in choices):
        await reply(message, nothing_to_send(refused_choices(choices), lang))
        return
    settings = context.services.checkin_settings
    draft = new_draft(context, choices, min(settings.default_duration, settings.max_duration))
    note = None
    if event := command_rest(message.text):
        note = _take_event(context, draft, event)
    await show_step(context, actor, draft, chat_id=message.chat_id, note=note)


async def private_only(update: Update, context: BotContext) -> None:
    """In a group: one line pointing to the private chat."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0].lstrip("/").split("@")[0]
    await reply(message, t("peiling.private_only", context.language, command=command))


@awaiting.consumer(EVENT)
async def take_event(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """The event, typed in the private chat."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    draft = find_draft(context, str(data.get("draft")))
    if draft is None or draft.sent_as is not None:
        await reply(message, t("peiling.expired", context.language))
        return
    note = _take_event(context, draft, message.text or "")
    await show_step(context, actor, draft, chat_id=message.chat_id, note=note)


@awaiting.consumer(UNTIL)
async def take_until(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """A closing time typed in the private chat ('morgen 9:00'); asked again until it fits."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    draft = find_draft(context, str(data.get("draft")))
    if draft is None or draft.sent_as is not None:
        await reply(message, t("peiling.expired", lang))
        return
    now = services.clock.now()
    until = parse_until(message.text or "", now, services.tz)
    longest = services.checkin_settings.max_duration
    if until is None:
        problem: str | None = t("peiling.until_unclear", lang)
    else:
        problem = until_problem(until, now, longest, services.tz, lang)
    if until is None or problem is not None:
        awaiting.expect(context, UNTIL, draft=draft.id)
        await reply(message, problem or "")
        return
    draft.until, draft.duration = until, None
    await show_step(context, actor, draft, chat_id=message.chat_id)


async def press(update: Update, context: BotContext) -> None:
    """Every button of the wizard: checked against the person's own current draft."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    lang = context.language
    parsed = WizardPress.parse(query.data)
    if parsed is None or not in_own_chat(update):
        await query.answer(t("peiling.stale", lang))
        return
    draft = find_draft(context, parsed.draft)
    if draft is None:
        await query.answer(t("peiling.expired", lang), show_alert=True)
    elif draft.sent_as is not None:
        await query.answer(t("peiling.already_sent", lang, id=draft.sent_as))
    elif parsed.action == CANCEL:
        await _cancel(update, context)
    elif parsed.action not in STEP_ACTIONS.get(draft.step(), frozenset()):
        await query.answer(t("peiling.stale", lang))
    else:
        await _act(update, context, actor, draft, parsed)


async def _act(
    update: Update, context: BotContext, actor: Actor, draft: Draft, pressed: WizardPress
) -> None:
    query = update.callback_query
    assert query is not None
    lang = context.language
    if pressed.action == SAMPLE:
        await query.answer(t("peiling.sample", lang), show_alert=True)
        return
    if pressed.action == SEND:
        await _send(update, context, actor, draft)
        return
    if pressed.action == CUSTOM_TIME:
        awaiting.expect(context, UNTIL, draft=draft.id)
        await query.answer()
        markup = InlineKeyboardMarkup([cancel_row(draft, lang)])
        await edit_wizard(query.message, t("peiling.ask_until", lang), markup)
        return
    refused = choose(draft, pressed.action, pressed.value, actor.is_coordinator)
    if refused == "stale":
        await query.answer(t("peiling.stale", lang))
    elif refused == "pick_a_district":
        await query.answer(t("peiling.pick_a_district", lang), show_alert=True)
    elif refused is not None:
        reason = t(f"checkin.reason.{refused.refusal}", lang)
        text = t("peiling.district_refused", lang, district=refused.name, reason=reason)
        await query.answer(text, show_alert=True)
    else:
        await query.answer()
        await show_step(context, actor, draft, edit=query.message)


def _take_event(context: BotContext, draft: Draft, text: str) -> str | None:
    """Put the event in the draft, or return why it cannot be used."""
    checked = context.services.checkins.start.check_event(text)
    if isinstance(checked, InvalidEvent):
        return event_problem(checked, len(text.strip()), context.language)
    draft.event = checked
    return None


async def _send(update: Update, context: BotContext, actor: Actor, draft: Draft) -> None:
    """Store the check-in, send it in the background, schedule its closing, tell the chief."""
    query = update.callback_query
    assert query is not None and draft.event is not None and draft.show_tally is not None
    services = context.services
    started = await services.checkins.start.start_checkin(
        actor,
        draft.event,
        draft.targets(),
        draft.duration_from(services.clock.now()),
        draft.show_tally,
        urgent=draft.urgent,
        practice=draft.practice,
    )
    await query.answer()
    if not isinstance(started, CheckInStarted):
        await show_refusal(context, actor, draft, started, edit=query.message)
        return
    draft.sent_as = started.checkin_id
    start_broadcast(context.application, services, started.checkin_id)
    if context.job_queue is not None:
        schedule_close(context.job_queue, started.checkin_id, started.closes_at, services)
    text = sent_text(started, services.tz, context.language)
    await edit_wizard(query.message, text, None)


async def _cancel(update: Update, context: BotContext) -> None:
    """Drop the draft (and a question it asked); nothing was stored."""
    query = update.callback_query
    assert query is not None
    waiting = awaiting.pending(context)
    if waiting is not None and waiting.get("kind") in (EVENT, UNTIL):
        awaiting.clear(context)
    drop_draft(context)
    await query.answer()
    await edit_wizard(query.message, t("peiling.cancelled", context.language), None)
