"""Coordinators' invitations in the private chat: /uitnodigen, /uitnodigingen, /intrekken."""

from __future__ import annotations

from telegram import Update

from handlers.common import (
    actor_of,
    arguments,
    parse_role,
    refusal,
    refuse,
    reply,
    reply_lines,
    role_name,
    unquote,
)
from handlers.context import BotContext
from handlers.i18n import t, tn
from handlers.render import local_time
from services.access import Role
from services.invitations import (
    InvitationAlreadyClosed,
    InvitationCreated,
    InvitationNotFound,
    InvitationRevoked,
    OpenInvitation,
)


def invitation_link(bot_username: str, token: str) -> str:
    """The deep link that opens the private chat with /start <token>."""
    return f"https://t.me/{bot_username}?start={token}"


def parse_invite(text: str) -> tuple[str, Role] | None:
    """Read '<wijk> [bondgenoot|chef]'; the district may have several words."""
    words = text.split()
    if not words:
        return None
    role = parse_role(words[-1])
    if role is None:
        return unquote(text), Role.KEY_FIGURE
    district = unquote(" ".join(words[:-1]))
    return (district, role) if district else None


async def invite(update: Update, context: BotContext) -> None:
    """Make a personal invitation link for a district and a role (coordinators)."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    parsed = parse_invite(arguments(context))
    if parsed is None:
        await reply(message, t("invite.usage", lang))
        return
    district, role = parsed
    outcome = await context.services.invitations.create_invitation(actor, district, role)
    if not isinstance(outcome, InvitationCreated):
        await refuse(update, context, message, outcome, "/uitnodigen")
        return
    text = t(
        "invite.created",
        lang,
        id=outcome.invitation_id,
        role=role_name(outcome.role, lang),
        district=outcome.district,
        link=invitation_link(context.bot.username, outcome.token),
        expires=local_time(outcome.expires_at, context.services.tz, lang),
    )
    await reply(message, text)


def invitation_line(item: OpenInvitation, context: BotContext) -> str:
    """One open invitation as a line of the list."""
    lang = context.language
    return t(
        "invite.list.line",
        lang,
        id=item.invitation_id,
        district=item.district,
        role=role_name(item.role, lang),
        expires=local_time(item.expires_at, context.services.tz, lang),
        creator=item.created_by or t("invite.list.unknown_creator", lang),
    )


async def list_invitations(update: Update, context: BotContext) -> None:
    """List the invitations that can still be used (coordinators)."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    outcome = await context.services.invitations.list_invitations(actor)
    if not isinstance(outcome, list):
        await refuse(update, context, message, outcome, "/uitnodigingen")
        return
    if not outcome:
        await reply(message, t("invite.list.empty", lang))
        return
    lines = [tn("invite.list.header", len(outcome), lang)]
    lines += [invitation_line(item, context) for item in outcome]
    lines.append(t("invite.list.footer", lang))
    await reply_lines(message, lines)


async def revoke(update: Update, context: BotContext) -> None:
    """Make an invitation unusable (coordinators)."""
    message, actor = update.effective_message, actor_of(update, context)
    if message is None or actor is None:
        return
    lang = context.language
    # Ids are 32-bit integers in PostgreSQL; a longer number cannot be one.
    number = arguments(context).removeprefix("#").strip()
    if not (number.isascii() and number.isdigit()) or len(number) > 9:
        await reply(message, t("invite.revoke.usage", lang))
        return
    outcome = await context.services.invitations.revoke_invitation(actor, int(number))
    match outcome:
        case InvitationRevoked(invitation_id=number_, district=district, role=role):
            text = t(
                "invite.revoked", lang, id=number_, district=district, role=role_name(role, lang)
            )
        case InvitationNotFound(invitation_id=number_):
            text = t("invite.revoke.not_found", lang, id=number_)
        case InvitationAlreadyClosed(invitation_id=number_, used=True):
            text = t("invite.revoke.used", lang, id=number_)
        case InvitationAlreadyClosed(invitation_id=number_):
            text = t("invite.revoke.already", lang, id=number_)
        case _:
            text = refusal(outcome, lang)
    await reply(message, text)
