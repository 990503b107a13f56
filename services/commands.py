"""Which commands a person's roles allow, for their per-chat command menu."""

from __future__ import annotations

from collections.abc import Collection

from storage.models import Role

# The menu order: management first, then check-ins, then one's own things.
ORDER = tuple(
    "wijk wijken koppel uitnodigen uitnodigingen intrekken leden verwijderen rolweg peiling "
    "puls sluit peilingen oefening terugkoppeling bijeenkomst bijeenkomsten actie acties afwezig "
    "terug dieet export trend overzicht audit privacy mijngegevens vergeetmij akkoord taal "
    "stoppen start help".split()
)
# Only commands the bot answers (a menu entry must do something). Everyone who is known gets
# their privacy rights; a stranger can still read what the bot keeps.
_RIGHTS = "privacy mijngegevens vergeetmij akkoord taal"
COORDINATOR = frozenset(
    "wijk wijken koppel uitnodigen uitnodigingen intrekken leden verwijderen rolweg peiling "
    "puls sluit peilingen oefening terugkoppeling bijeenkomst bijeenkomsten actie acties export "
    f"trend overzicht audit {_RIGHTS} stoppen help".split()
)
CHIEF = frozenset(
    "peiling puls sluit peilingen terugkoppeling bijeenkomst bijeenkomsten actie acties dieet "
    f"leden export trend overzicht {_RIGHTS} stoppen help".split()
)
KEY_FIGURE = frozenset(f"peilingen afwezig terug acties dieet {_RIGHTS} stoppen help".split())
NOBODY = frozenset("start privacy taal help".split())


# The one table of English aliases: every command keeps its Dutch name and also answers to
# its alias; menus and /help in any language but Dutch list the alias.
ALIASES: dict[str, str] = {
    "wijk": "district",
    "wijken": "districts",
    "koppel": "link",
    "uitnodigen": "invite",
    "uitnodigingen": "invitations",
    "intrekken": "revoke",
    "leden": "members",
    "verwijderen": "remove",
    "rolweg": "droprole",
    "peiling": "checkin",
    "puls": "pulse",
    "sluit": "close",
    "peilingen": "checkins",
    "oefening": "practice",
    "terugkoppeling": "feedback",
    "bijeenkomst": "meeting",
    "bijeenkomsten": "meetings",
    "actie": "action",
    "acties": "actions",
    "afwezig": "away",
    "terug": "back",
    "dieet": "diet",
    "overzicht": "overview",
    "mijngegevens": "mydata",
    "vergeetmij": "forgetme",
    "akkoord": "agree",
    "taal": "language",
    "stoppen": "leave",
}
DUTCH = "nl"


def menu_name(name: str, language: str | None) -> str:
    """The name a menu in this language shows: Dutch in Dutch, the English alias otherwise."""
    return name if language == DUTCH else ALIASES.get(name, name)


def commands_for(is_coordinator: bool, roles: Collection[Role]) -> list[str]:
    """Return the command names these roles allow, in menu order."""
    allowed: set[str] = set()
    if is_coordinator:
        allowed |= COORDINATOR
    if Role.CHIEF in roles:
        allowed |= CHIEF
    if Role.KEY_FIGURE in roles:
        allowed |= KEY_FIGURE
    if not allowed:
        allowed = set(NOBODY)
    return [name for name in ORDER if name in allowed]
