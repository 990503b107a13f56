"""The /peiling wizard's draft in the chief's user_data, and what each button does to it.

A draft lives in memory only: after a restart its buttons find nothing and say so, and
nothing half-done was ever stored. One draft per person: a new /peiling replaces the old
one, and the draft id in the callback data keeps an old wizard's buttons off the new draft.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from handlers.context import BotContext
from services.checkins import ALL
from services.checkins.outcomes import DistrictChoice
from services.checkins.targets import Targets

_KEY = "peiling.draft"

# What a wizard button does; its `value` says which district, duration, tally choice or code.
TOGGLE, ALL_DISTRICTS, DISTRICTS_DONE = "d", "all", "dok"
DURATION, CUSTOM_TIME, TALLY = "t", "tc", "s"
SEND, CANCEL, SAMPLE, URGENT, PRACTICE = "ok", "x", "p", "u", "o"
# Which buttons belong to which step: a press for another step is stale or forged.
STEP_ACTIONS: dict[str, frozenset[str]] = {
    "districts": frozenset({TOGGLE, ALL_DISTRICTS, DISTRICTS_DONE}),
    "duration": frozenset({DURATION, CUSTOM_TIME}),
    "tally": frozenset({TALLY}),
    "preview": frozenset({SEND, SAMPLE, URGENT, PRACTICE}),
}

Step = Literal["event", "districts", "duration", "tally", "preview"]

# The duration buttons, in order: (text key of the label, how long).
DURATIONS: tuple[tuple[str, timedelta], ...] = (
    ("peiling.duration.2h", timedelta(hours=2)),
    ("peiling.duration.6h", timedelta(hours=6)),
    ("peiling.duration.24h", timedelta(hours=24)),
    ("peiling.duration.3d", timedelta(days=3)),
)


@dataclass
class Draft:
    """What the chief chose so far; the service checks it all again on sending."""

    id: str
    choices: tuple[DistrictChoice, ...]
    selected: set[int] = field(default_factory=set)  # indexes into choices
    all_districts: bool = False
    districts_done: bool = False
    event: str | None = None
    duration: timedelta | None = None
    until: datetime | None = None  # a typed closing time (absolute, UTC)
    show_tally: bool | None = None
    sent_as: int | None = None  # the check-in id, once sent
    # checkins.default_duration_hours: offered as a button when it is none of the presets.
    default_duration: timedelta | None = None
    urgent: bool = False  # private copies go out inside quiet hours too
    practice: bool = False  # "oefening": marked everywhere, never counted (issue 17)

    def default_offered(self) -> bool:
        """Tell whether the configured default needs its own button (it is no preset)."""
        presets = {d for _, d in DURATIONS}
        return self.default_duration is not None and self.default_duration not in presets

    def targets(self) -> Targets:
        """The districts to ask, as the service takes them."""
        if self.all_districts:
            return ALL
        return [self.choices[i].name for i in sorted(self.selected)]

    def duration_from(self, now: datetime) -> timedelta:
        """How long it stays open if it went out now."""
        if self.until is not None:
            return self.until - now
        return self.duration or timedelta(0)

    def step(self) -> Step:
        """The first thing still missing."""
        if self.event is None:
            return "event"
        if not self.districts_done:
            return "districts"
        if self.duration is None and self.until is None:
            return "duration"
        if self.show_tally is None:
            return "tally"
        return "preview"


def new_draft(
    context: BotContext, choices: list[DistrictChoice], default_duration: timedelta | None = None
) -> Draft:
    """Start a draft with the person's own districts preselected, replacing any older one."""
    draft = Draft(secrets.token_urlsafe(4), tuple(choices), default_duration=default_duration)
    draft.selected = {i for i, c in enumerate(choices) if c.own}
    # Nothing to choose when there is exactly one district and it can go.
    if len(choices) == 1 and choices[0].refusal is None and choices[0].own:
        draft.districts_done = True
    user_data: dict[Any, Any] | None = context.user_data
    if user_data is not None:
        user_data[_KEY] = draft
    return draft


def find_draft(context: BotContext, draft_id: str) -> Draft | None:
    """The person's draft with this id, or None when it is gone or replaced."""
    user_data: dict[Any, Any] | None = context.user_data
    draft = user_data.get(_KEY) if user_data is not None else None
    return draft if isinstance(draft, Draft) and draft.id == draft_id else None


def drop_draft(context: BotContext) -> None:
    """Forget the person's draft."""
    if context.user_data is not None:
        context.user_data.pop(_KEY, None)


Refusal = Literal["stale", "pick_a_district"] | DistrictChoice


def choose(draft: Draft, action: str, value: int, is_coordinator: bool) -> Refusal | None:
    """Apply one button of the current step to the draft; return why not, if it cannot be.

    A refused district (its DistrictChoice) cannot be picked; 'alle wijken' is for
    coordinators; a value out of range is forged or stale.
    """
    selectable = {i for i, c in enumerate(draft.choices) if c.refusal is None}
    if action == TOGGLE:
        if not 0 <= value < len(draft.choices):
            return "stale"
        if draft.choices[value].refusal is not None:
            return draft.choices[value]
        if draft.all_districts:  # switching one off from 'all': the others stay on
            draft.all_districts, draft.selected = False, draft.selected | selectable
        draft.selected ^= {value}
    elif action == ALL_DISTRICTS:
        if not is_coordinator:
            return "stale"
        draft.all_districts = not draft.all_districts
    elif action == DISTRICTS_DONE:
        if not draft.all_districts and not draft.selected & selectable:
            return "pick_a_district"
        draft.districts_done = True
    elif action == DURATION:
        if value == len(DURATIONS) and draft.default_offered():
            draft.duration, draft.until = draft.default_duration, None
            return None
        if not 0 <= value < len(DURATIONS):
            return "stale"
        draft.duration, draft.until = DURATIONS[value][1], None
    elif action == URGENT:
        draft.urgent = not draft.urgent
    elif action == PRACTICE:
        draft.practice = not draft.practice
    elif action == TALLY:
        draft.show_tally = bool(value)
    else:
        return "stale"
    return None
