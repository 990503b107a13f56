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

from handlers import awaiting, districts, groups, intake, invitations, leaving, members
from handlers.errors import on_error
from handlers.filters import GROUPS, NEW_MESSAGE, PRIVATE
from handlers.group_texts import ReplaceGroup
from handlers.groups import GroupMembershipHandler
from handlers.intake import IntakeChoice, IntakeMove
from handlers.leaving import LeaveCancel, LeavePick
from handlers.start import help_command, start


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Return every update handler, in the order they must be tried."""
    return [
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
        CallbackQueryHandler(leaving.confirm, pattern=LeavePick.pattern()),
        CallbackQueryHandler(leaving.cancel, pattern=LeaveCancel.pattern()),
        members.PrivateStatusHandler(),
        # The same commands in a group: names and links belong in the private chat.
        CommandHandler(
            members.PRIVATE_COMMANDS, members.private_only, filters=NEW_MESSAGE & GROUPS
        ),
        # --- districts and groups ---
        # Only my_chat_member from groups: a private one (someone blocked the bot) is people's.
        GroupMembershipHandler(),
        MessageHandler(filters.StatusUpdate.MIGRATE, groups.migrated),
        CommandHandler("wijk", districts.wijk, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("wijken", districts.wijken, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler(groups.LINK_COMMAND, groups.koppel, filters=NEW_MESSAGE & GROUPS),
        CallbackQueryHandler(groups.replace_choice, pattern=ReplaceGroup.pattern()),
        # --- check-ins: starting, closing, listing ---
        # --- check-ins: answers and follow-ups ---
        CommandHandler("start", start, filters=NEW_MESSAGE & PRIVATE),
        CommandHandler("help", help_command, filters=NEW_MESSAGE),
        # After every command: a plain private text goes to whichever question is open.
        MessageHandler(
            NEW_MESSAGE & PRIVATE & filters.TEXT & ~filters.COMMAND, awaiting.on_private_text
        ),
        # --- last: any button nobody above recognised (old, forged, from a removed feature) ---
    ]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler and the error handler to the application."""
    # Group -1 runs before every other handler and does not stop them: a known person who
    # writes privately becomes reachable again, whatever the message is.
    application.add_handler(MessageHandler(NEW_MESSAGE & PRIVATE, members.person_seen), group=-1)
    application.add_handlers(handlers())
    application.add_error_handler(on_error)
