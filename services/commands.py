"""Which commands a person's roles allow, for their per-chat command menu."""

from __future__ import annotations

from collections.abc import Collection

from storage.models import Role

# The menu order: management first, then check-ins, then one's own things.
ORDER = tuple(
    "wijk wijken koppel uitnodigen uitnodigingen intrekken leden verwijderen rolweg peiling "
    "sluit peilingen terugkoppeling afwezig terug mijngegevens export trend overzicht audit "
    "stoppen start help".split()
)
# Only commands the bot answers: the personal-data command joins these sets when its handler
# exists, never before (a menu entry must do something).
COORDINATOR = frozenset(
    "wijk wijken koppel uitnodigen uitnodigingen intrekken leden verwijderen rolweg peiling "
    "sluit peilingen terugkoppeling export trend overzicht audit stoppen help".split()
)
CHIEF = frozenset(
    "peiling sluit peilingen terugkoppeling leden export trend overzicht stoppen help".split()
)
KEY_FIGURE = frozenset("peilingen afwezig terug stoppen help".split())
NOBODY = frozenset("start help".split())


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
