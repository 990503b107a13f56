"""/bijeenkomst in the private chat: an organiser's wizard from districts to preview to send.

Each step asks only what is still missing (districts, date and time, place, meal, RSVP
deadline, note), then shows the preview — the exact invitation a group will get — and sends
on 'Versturen'. The service checks everything again when it stores the meeting.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from handlers import awaiting
from handlers.common import actor_of, in_own_chat, label, reply
from handlers.context import BotContext
from handlers.i18n import Safe, t, tn
from handlers.meetings.draft import (
    CANCEL,
    DEADLINE,
    DEADLINE_DAYS,
    DISTRICTS_DONE,
    NO_NOTE,
    SEND,
    STEP_ACTIONS,
    TOGGLE,
    MeetingDraft,
    deadline_for,
    drop_draft,
    find_draft,
    new_draft,
    parse_when,
)
from handlers.meetings.jobs import start_sending
from handlers.meetings.keyboards import PlanPress
from handlers.meetings.render import render_meeting
from handlers.render import local_time
from services.access import Actor
from services.meetings.planning import MAX_MEAL, MAX_NOTE, MAX_PLACE
from services.meetings.views import MeetingMessage, MeetingPlanned, PlanRefused
from services.outcomes import Denied

# The questions answered by typing (handlers/awaiting.py routes the text).
WHEN, PLACE, MEAL, NOTE = "meeting.when", "meeting.place", "meeting.meal", "meeting.note"
_LIMITS = {PLACE: MAX_PLACE, MEAL: MAX_MEAL, NOTE: MAX_NOTE}


async def bijeenkomst(update: Update, context: BotContext) -> None:
    """Start the wizard: which districts the organiser may invite, then what is missing."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    options = await context.services.meetings.planner.district_options(actor)
    if isinstance(options, Denied):
        await reply(message, t("meeting.plan.not_allowed", lang))
        return
    if not options:
        await reply(message, t("meeting.plan.no_districts", lang))
        return
    draft = new_draft(context, options)
    await show_step(context, actor, draft, chat_id=message.chat_id)


async def private_only(update: Update, context: BotContext) -> None:
    """In a group: one line pointing to the private chat."""
    message = update.effective_message
    if message is not None:
        await reply(message, t("meeting.private_only", context.language))


async def _typed(update: Update, context: BotContext, data: dict[str, object], kind: str) -> None:
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    services, lang = context.services, context.language
    draft = find_draft(context, str(data.get("draft")))
    if draft is None or draft.sent_as is not None:
        await reply(message, t("meeting.plan.expired", lang))
        return
    text = (message.text or "").strip()
    problem: str | None = None
    if kind == WHEN:
        at = parse_when(text, services.clock.now(), services.tz)
        if at is None:
            problem = t("meeting.plan.when_unclear", lang)
        elif at <= services.clock.now():
            problem = t("meeting.plan.when_past", lang)
        else:
            draft.starts_at, draft.rsvp_deadline = at, None
    elif not text:
        problem = t("meeting.plan.empty", lang)
    elif len(text) > _LIMITS[kind]:
        problem = t("meeting.plan.too_long", lang, max=_LIMITS[kind])
    elif kind == PLACE:
        draft.place = text
    elif kind == MEAL:
        draft.meal = text
    else:
        draft.note = text
    if problem is not None:
        awaiting.expect(context, kind, draft=draft.id)
        await reply(message, problem)
        return
    await show_step(context, actor, draft, chat_id=message.chat_id)


@awaiting.consumer(WHEN)
async def take_when(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """The date and time, typed ('18-12 18:30')."""
    await _typed(update, context, data, WHEN)


@awaiting.consumer(PLACE)
async def take_place(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """The place, typed."""
    await _typed(update, context, data, PLACE)


@awaiting.consumer(MEAL)
async def take_meal(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """The meal, typed."""
    await _typed(update, context, data, MEAL)


@awaiting.consumer(NOTE)
async def take_note(update: Update, context: BotContext, data: dict[str, object]) -> None:
    """The optional note, typed."""
    await _typed(update, context, data, NOTE)


async def press(update: Update, context: BotContext) -> None:
    """Every button of the wizard: checked against the person's own current draft."""
    query, actor = update.callback_query, actor_of(update, context)
    if query is None or actor is None:
        return
    services, lang = context.services, context.language
    parsed = PlanPress.parse(query.data)
    if parsed is None or not in_own_chat(update):
        await query.answer(t("meeting.plan.stale", lang))
        return
    draft = find_draft(context, parsed.draft)
    if draft is None:
        await query.answer(t("meeting.plan.expired", lang), show_alert=True)
        return
    if draft.sent_as is not None:
        await query.answer(t("meeting.plan.already_sent", lang, id=draft.sent_as))
        return
    if parsed.action == CANCEL:
        waiting = awaiting.pending(context)
        if waiting is not None and str(waiting.get("kind", "")).startswith("meeting."):
            awaiting.clear(context)
        drop_draft(context)
        await query.answer()
        await _edit(query.message, t("meeting.plan.cancelled", lang), None)
        return
    if parsed.action not in STEP_ACTIONS.get(draft.step(), frozenset()):
        await query.answer(t("meeting.plan.stale", lang))
        return
    if parsed.action == SEND:
        await _send(update, context, actor, draft)
        return
    if parsed.action == TOGGLE:
        if not 0 <= parsed.value < len(draft.options):
            await query.answer(t("meeting.plan.stale", lang))
            return
        draft.selected ^= {parsed.value}
    elif parsed.action == DISTRICTS_DONE:
        if not draft.selected:
            await query.answer(t("meeting.plan.pick_a_district", lang), show_alert=True)
            return
        draft.districts_done = True
    elif parsed.action == DEADLINE:
        assert draft.starts_at is not None
        if parsed.value not in DEADLINE_DAYS:
            await query.answer(t("meeting.plan.stale", lang))
            return
        deadline = deadline_for(draft.starts_at, parsed.value, services.tz)
        if deadline <= services.clock.now():
            await query.answer(t("meeting.plan.deadline_past", lang), show_alert=True)
            return
        draft.rsvp_deadline = deadline
    elif parsed.action == NO_NOTE:
        draft.note = ""
    await query.answer()
    await show_step(context, actor, draft, edit=query.message)


async def show_step(
    context: BotContext,
    actor: Actor,
    draft: MeetingDraft,
    *,
    chat_id: int | None = None,
    edit: object = None,
    note: str | None = None,
) -> None:
    """Show the draft's current step: edit the wizard message, or send a new one."""
    services, lang = context.services, context.language
    step = draft.step()
    cancel = [_button(draft, "meeting.plan.cancel_button", CANCEL, lang=lang)]
    rows: list[list[InlineKeyboardButton]] = []
    if step == "districts":
        text = t("meeting.plan.ask_districts", lang)
        for i, option in enumerate(draft.options):
            mark = "✅" if i in draft.selected else "▫️"
            rows.append([_plain(draft, f"{mark} {option.name}", TOGGLE, i)])
        rows.append([_button(draft, "meeting.plan.next_button", DISTRICTS_DONE, lang=lang)])
    elif step in ("when", "place", "meal"):
        kind = {"when": WHEN, "place": PLACE, "meal": MEAL}[step]
        text = t(f"meeting.plan.ask_{step}", lang)
        awaiting.expect(context, kind, draft=draft.id)
    elif step == "deadline":
        assert draft.starts_at is not None
        when = local_time(draft.starts_at, services.tz, lang)
        text = t("meeting.plan.ask_deadline", lang, when=when)
        now = services.clock.now()
        for days in DEADLINE_DAYS:
            deadline = deadline_for(draft.starts_at, days, services.tz)
            if deadline > now:
                shown = local_time(deadline, services.tz, lang)
                rows.append(
                    [
                        _plain(
                            draft,
                            label("meeting.plan.deadline_button", lang, at=shown),
                            DEADLINE,
                            days,
                        )
                    ]
                )
        if not rows:
            text = t("meeting.plan.too_soon", lang)
            draft.starts_at = None
            awaiting.expect(context, WHEN, draft=draft.id)
    elif step == "note":
        text = t("meeting.plan.ask_note", lang)
        rows.append([_button(draft, "meeting.plan.no_note_button", NO_NOTE, lang=lang)])
        awaiting.expect(context, NOTE, draft=draft.id)
    else:
        found = await services.meetings.planner.preview(
            actor, draft.district_ids(), draft.details()
        )
        if isinstance(found, PlanRefused):
            await _refused(context, actor, draft, found, chat_id=chat_id, edit=edit)
            return
        assert isinstance(found, MeetingMessage)
        invitation, _ = render_meeting(found, services.tz, lang)
        # The rendered invitation is HTML already: it goes into the preview unescaped.
        text = t("meeting.plan.preview", lang, invitation=Safe(invitation))
        rows.append([_button(draft, "meeting.plan.send_button", SEND, lang=lang)])
    rows.append(cancel)
    full = f"{note}\n\n{text}" if note else text
    if isinstance(edit, Message):
        await _edit(edit, full, InlineKeyboardMarkup(rows))
    elif chat_id is not None:
        await context.bot.send_message(
            chat_id, full, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup(rows)
        )


async def _refused(
    context: BotContext,
    actor: Actor,
    draft: MeetingDraft,
    refused: PlanRefused,
    *,
    chat_id: int | None = None,
    edit: object = None,
) -> None:
    """Step the draft back to what the service refused, saying why; denied ends the draft."""
    lang = context.language
    if refused.reason == "denied":
        drop_draft(context)
        text = t("meeting.plan.not_allowed", lang)
        if isinstance(edit, Message):
            await _edit(edit, text, None)
        elif chat_id is not None:
            await context.bot.send_message(chat_id, text)
        return
    if refused.reason == "no_districts":
        draft.districts_done = False
    elif refused.reason == "starts_past":
        draft.starts_at = draft.rsvp_deadline = None
    else:
        draft.rsvp_deadline = None
    note = t(f"meeting.plan.refused.{refused.reason}", lang)
    await show_step(context, actor, draft, chat_id=chat_id, edit=edit, note=note)


async def _send(update: Update, context: BotContext, actor: Actor, draft: MeetingDraft) -> None:
    """Store the meeting, send the invitations in the background, tell the organiser."""
    query = update.callback_query
    assert query is not None
    services, lang = context.services, context.language
    planned = await services.meetings.planner.plan(actor, draft.district_ids(), draft.details())
    await query.answer()
    if isinstance(planned, PlanRefused):
        await _refused(context, actor, draft, planned, edit=query.message)
        return
    assert isinstance(planned, MeetingPlanned)
    draft.sent_as = planned.meeting_id
    start_sending(context.application, services, planned.meeting_id)
    text = tn(
        "meeting.plan.sent",
        planned.private_invites,
        lang,
        id=planned.meeting_id,
        districts=", ".join(planned.districts),
    )
    await _edit(query.message, text, None)


def _button(
    draft: MeetingDraft, key: str, action: str, value: int = 0, *, lang: str
) -> InlineKeyboardButton:
    return _plain(draft, label(key, lang), action, value)


def _plain(draft: MeetingDraft, text: str, action: str, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=PlanPress(draft.id, action, value).encode())


async def _edit(message: object, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        # A double tap can ask for the same screen twice; that screen is already shown.
        if "not modified" not in exc.message.lower():
            raise
