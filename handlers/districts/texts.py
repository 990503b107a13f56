"""Texts for the district commands: one outcome in, the words a coordinator reads out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from handlers.i18n import Safe, t, tn
from services.districts import (
    ArchiveChanged,
    DistrictConfigured,
    DistrictCreated,
    DistrictOverview,
    DistrictRenamed,
)
from services.outcomes import Denied, DistrictExists, InvalidName, UnknownDistrict

# Telegram allows 4096 characters; keep room for the HTML tags in the count.
MESSAGE_LIMIT = 3800

DistrictOutcome = (
    DistrictCreated
    | DistrictRenamed
    | ArchiveChanged
    | DistrictConfigured
    | Denied
    | InvalidName
    | DistrictExists
    | UnknownDistrict
)


def unknown_district(outcome: UnknownDistrict, language: str | None) -> str:
    """Say that no district has this name, with the closest names if there are any."""
    if outcome.suggestions:
        return t(
            "district.unknown_suggest",
            language,
            name=outcome.name,
            suggestions=", ".join(outcome.suggestions),
        )
    return t("district.unknown", language, name=outcome.name)


def district_reply(outcome: DistrictOutcome, language: str | None) -> str:
    """Render what came of /wijk (create, rename, archive, restore, configure)."""
    match outcome:
        case Denied():
            return t("district.denied", language)
        case InvalidName(reason="empty") | UnknownDistrict(name=""):
            # The command came without (usable) arguments: show how it goes.
            return t("district.usage", language)
        case InvalidName(max_length=max_length):
            return t("district.name_too_long", language, max=max_length)
        case UnknownDistrict():
            return unknown_district(outcome, language)
        case DistrictExists(name=name):
            return t("district.exists", language, name=name)
        case DistrictCreated(name=name):
            return t("district.created", language, name=name)
        case DistrictRenamed(old=old, new=new):
            return t("district.renamed", language, old=old, new=new)
        case ArchiveChanged():
            return _archive_text(outcome, language)
        case DistrictConfigured(name=name, changed=changed):
            key = "district.configured" if changed else "district.configured_already"
            settings = settings_text(
                outcome.ask_privately, outcome.show_tally, language, outcome.group_nudge
            )
            return t(key, language, name=name, settings=settings)


def settings_text(
    ask_privately: bool, show_tally: bool, language: str | None, group_nudge: bool = False
) -> Safe:
    """A district's check-in settings in one short line (the group nudge only when on)."""
    private = t("districts.private_on" if ask_privately else "districts.private_off", language)
    tally = t("districts.tally_shown" if show_tally else "districts.tally_hidden", language)
    text = t("districts.settings", language, private=Safe(private), tally=Safe(tally))
    if group_nudge:
        text += t("districts.nudge_on", language)
    return Safe(text)


def _archive_text(outcome: ArchiveChanged, language: str | None) -> str:
    """Say what archiving or restoring did."""
    if not outcome.changed:
        key = "district.already_archived" if outcome.archived else "district.not_archived"
        return t(key, language, name=outcome.name)
    if not outcome.archived:
        return t("district.restored", language, name=outcome.name)
    text = t("district.archived", language, name=outcome.name)
    if outcome.invitations_revoked:
        text += "\n" + tn("district.invitations_revoked", outcome.invitations_revoked, language)
    return text


def overview_messages(
    rows: Sequence[DistrictOverview] | Denied, language: str | None
) -> list[str]:
    """Render /wijken: one block per district, split into messages Telegram accepts."""
    if isinstance(rows, Denied):
        return [t("districts.denied", language)]
    if not rows:
        return [t("districts.none", language)]
    header = tn("districts.header", len(rows), language)
    return pack([header, *(_overview_block(row, language) for row in rows)])


def _overview_block(row: DistrictOverview, language: str | None) -> str:
    """Four lines about one district: name, group, people, check-in settings."""
    name_key = "districts.name_archived" if row.archived else "districts.name"
    title = row.group_title or t("districts.untitled", language)
    if not row.group_linked:
        group = t("districts.no_group", language)
    elif row.group_reachable:
        group = t("districts.group_ok", language, title=title)
    else:
        group = t("districts.group_unreachable", language, title=title)
    people = tn("districts.key_figures", row.key_figures, language)
    if row.chiefs:
        chiefs = t("districts.chiefs", language, names=", ".join(row.chiefs))
    else:
        chiefs = t("districts.no_chiefs", language)
    settings = settings_text(row.ask_privately, row.show_tally, language, row.group_nudge)
    return "\n".join(
        (t(name_key, language, name=row.name), group, f"{people} · {chiefs}", settings)
    )


def pack(blocks: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks with blank lines into as few messages as fit, never splitting a block."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if current and len(candidate) > limit:
            messages.append(current)
            candidate = block
        current = candidate
    if current:
        messages.append(current)
    return messages
