"""The one ordered list of update handlers. Order matters where a comment says so."""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import awaiting
from handlers import language as languages
from handlers.checkins import answers, closing, followups, practice
from handlers.checkins import wizard as peiling
from handlers.checkins.answer_keyboards import AnswerPress
from handlers.checkins.followup_keyboards import (
    FollowContact,
    FollowDirection,
    FollowDone,
    FollowText,
    FollowTheme,
)
from handlers.checkins.practice import WipePress
from handlers.checkins.wizard_keyboards import ClosePick, WizardPress
from handlers.districts import commands as districts
from handlers.districts import groups
from handlers.districts.group_keyboards import ReplaceGroup
from handlers.districts.groups import GroupMembershipHandler
from handlers.errors import on_error
from handlers.exports import wizard as export_chat
from handlers.exports.keyboards import ExportPress
from handlers.feedback import wizard as feedback
from handlers.feedback.keyboards import FeedbackPress
from handlers.filters import GROUPS, NEW_MESSAGE, PRIVATE
from handlers.insight import audit as insight_audit
from handlers.insight import commands as insight
from handlers.insight.audit import AuditMove
from handlers.meetings import actions as meeting_actions
from handlers.meetings import listing as meeting_list
from handlers.meetings import rsvp as meeting_rsvp
from handlers.meetings import wizard as meeting_plan
from handlers.meetings.keyboards import (
    ActionPick,
    DietPress,
    MeetingPick,
    PlanPress,
    PointPick,
    RsvpButton,
)
from handlers.people import away, intake, invitations, leaving, members
from handlers.people.intake import IntakeChoice, IntakeMove
from handlers.people.leaving import LeaveCancel, LeavePick
from handlers.privacy import commands as privacy
from handlers.privacy.keyboards import ForgetPress
from handlers.pulse import commands as pulse
from handlers.pulse.keyboards import PulsePress
from handlers.start import help_command, start
from services.commands import ALIASES


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Return every update handler, in the order they must be tried."""
    return [
        # First, the update that comes in thousands at once: an answer press. Button
        # patterns are distinct prefixes, so this order changes only how soon it is found.
        CallbackQueryHandler(answers.press, pattern=AnswerPress.pattern()),
        # --- people: deep links (/start <token>) must come before the plain /start ---
        CommandHandler("start", intake.open_link, filters=NEW_MESSAGE & PRIVATE, has_args=True),
        CallbackQueryHandler(intake.choose, pattern=IntakeChoice.pattern()),
        CallbackQueryHandler(intake.move, pattern=IntakeMove.pattern()),
        CommandHandler("uitnodigen", invitations.invite, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler(
            "uitnodigingen", invitations.list_invitations, filters=NEW_MESSAGE & PRIVATE
        ),
        CommandHandler("intrekken", invitations.revoke, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("leden", members.roster, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("verwijderen", members.remove, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("rolweg", members.take_role, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("stoppen", leaving.ask, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("afwezig", away.afwezig, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("terug", away.terug, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(leaving.confirm, pattern=LeavePick.pattern()),
        CallbackQueryHandler(leaving.cancel, pattern=LeaveCancel.pattern()),
        members.PrivateStatusHandler(),
        # The same commands in a group: names and links belong in the private chat.
        CommandHandler(
            members.PRIVATE_COMMANDS, members.private_only, filters=NEW_MESSAGE & GROUPS
        ),
        # --- privacy rights: for everyone, in the private chat ---
        CommandHandler("privacy", privacy.privacy, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("mijngegevens", privacy.my_data, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("vergeetmij", privacy.forget, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(privacy.forget_press, pattern=ForgetPress.pattern()),
        CommandHandler("akkoord", privacy.accept_agreement, filters=NEW_MESSAGE & PRIVATE),
        # --- districts and groups ---
        # Only my_chat_member from groups: a private one (someone blocked the bot) is people's.
        GroupMembershipHandler(),
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.migrated),
        CommandHandler("wijk", districts.wijk, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("wijken", districts.wijken, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler(groups.LINK_COMMAND, groups.koppel, filters=NEW_MESSAGE & GROUPS),
        CallbackQueryHandler(groups.replace_choice, pattern=ReplaceGroup.pattern()),
        # --- insight: export, trend, overview, audit ---
        CommandHandler("export", export_chat.export, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(export_chat.press, pattern=ExportPress.pattern()),
        CommandHandler("trend", insight.trend, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("overzicht", insight.overzicht, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("audit", insight_audit.audit, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(insight_audit.audit_move, pattern=AuditMove.pattern()),
        # In a group: one line pointing to the private chat (figures and files stay there).
        CommandHandler(
            insight.PRIVATE_COMMANDS, insight.private_only, filters=NEW_MESSAGE & GROUPS
        ),
        # --- check-ins: starting, closing, listing ---
        CommandHandler("peiling", peiling.peiling, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(peiling.press, pattern=WizardPress.pattern()),
        CommandHandler("sluit", closing.sluit, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(closing.close_pick, pattern=ClosePick.pattern()),
        CommandHandler("peilingen", closing.peilingen, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("oefening", practice.oefening, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(practice.press, pattern=WipePress.pattern()),
        # --- recurring pulse check-ins ---
        CommandHandler("puls", pulse.puls, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(pulse.press, pattern=PulsePress.pattern()),
        # --- feedback to the groups after closing ---
        CommandHandler("terugkoppeling", feedback.terugkoppeling, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(feedback.press, pattern=FeedbackPress.pattern()),
        # In a group: one line pointing to the private chat (names and drafts stay there).
        CommandHandler(
            ["peiling", "puls", "sluit", "peilingen", "oefening", "terugkoppeling"],
            peiling.private_only,
            filters=NEW_MESSAGE & GROUPS,
        ),
        # --- check-ins: follow-ups (the answer presses themselves come first, above) ---
        CallbackQueryHandler(followups.direction, pattern=FollowDirection.pattern()),
        CallbackQueryHandler(followups.theme, pattern=FollowTheme.pattern()),
        CallbackQueryHandler(followups.ask_text, pattern=FollowText.pattern()),
        CallbackQueryHandler(followups.contact, pattern=FollowContact.pattern()),
        CallbackQueryHandler(followups.done, pattern=FollowDone.pattern()),
        # --- meetings: planning, RSVPs, dietary needs, headcounts ---
        CommandHandler("bijeenkomst", meeting_plan.bijeenkomst, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(meeting_plan.press, pattern=PlanPress.pattern()),
        CallbackQueryHandler(meeting_rsvp.press, pattern=RsvpButton.pattern()),
        CallbackQueryHandler(meeting_rsvp.diet_press, pattern=DietPress.pattern()),
        CommandHandler("dieet", meeting_rsvp.dieet, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("bijeenkomsten", meeting_list.bijeenkomsten, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(meeting_list.pick, pattern=MeetingPick.pattern()),
        CallbackQueryHandler(meeting_list.toggle_point, pattern=PointPick.pattern()),
        CommandHandler("actie", meeting_actions.actie, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("acties", meeting_actions.acties, filters=NEW_MESSAGE & PRIVATE),
        CallbackQueryHandler(meeting_actions.close_pick, pattern=ActionPick.pattern()),
        # In a group: one line pointing to the private chat (plans and dietary needs stay there).
        CommandHandler(
            ["bijeenkomst", "bijeenkomsten", "dieet", "actie", "acties"],
            meeting_plan.private_only,
            filters=NEW_MESSAGE & GROUPS,
        ),
        CommandHandler("start", start, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("help", help_command, filters=NEW_MESSAGE),
        # --- languages: one's own in private, a district group's (coordinators) in the group ---
        CommandHandler("taal", languages.taal, filters=NEW_MESSAGE),
        CallbackQueryHandler(languages.press, pattern=languages.LanguagePick.pattern()),
        # After every command: a plain private text goes to whichever question is open.
        MessageHandler(
            NEW_MESSAGE & PRIVATE & filters.TEXT & ~filters.COMMAND, awaiting.on_private_text
        ),
        # --- last: any button nobody above recognised (old, forged, from a removed feature) ---
        # No pattern: it takes every press left over, so each callback query gets an answer.
        CallbackQueryHandler(answers.unknown_button),
    ]


def with_aliases(
    handlers: list[BaseHandler[Any, Any, Any]],
) -> list[BaseHandler[Any, Any, Any]]:
    """Let every command also answer to its English alias (services/commands.ALIASES)."""
    for handler in handlers:
        if isinstance(handler, CommandHandler):
            names = handler.commands
            handler.commands = frozenset(names | {ALIASES[n] for n in names if n in ALIASES})
    return handlers


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler and the error handler to the application."""
    # Group -1 runs before every other handler and does not stop them: a known person who
    # writes privately becomes reachable again, whatever the message is.
    application.add_handler(MessageHandler(NEW_MESSAGE & PRIVATE, members.person_seen), group=-1)
    application.add_handlers(with_aliases(handlers()))
    application.add_error_handler(on_error)
