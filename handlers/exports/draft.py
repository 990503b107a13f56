"""The /export draft in the person's user_data, and how a press changes it.

A draft lives in memory only: after a restart its buttons find nothing and say so. Drafts are
kept by a short random id that each button carries, so an older question's buttons never
change a newer draft; the export service checks every choice again when it runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from handlers.context import BotContext
from services.exports import FORMATS, ExportFormat, ExportKind, ExportRequest
from services.insight import PRESETS, ExportChoices, Period, Preset
from services.insight.periods import preset_period

_KEY = "export.drafts"
_KEEP = 3
# More toggles than this make a keyboard nobody can use on a phone: then only "all".
MAX_TOGGLES = 40

Step = Literal["kind", "period", "districts", "format", "names", "ready"]
KINDS: tuple[ExportKind, ...] = ("answers", "summaries")
KIND, PRESET, CUSTOM = "k", "p", "pc"
TOGGLE, ALL, DISTRICTS_DONE = "d", "da", "dok"
FORMAT, NAMES, CANCEL = "f", "n", "x"
STEP_ACTIONS: dict[Step, frozenset[str]] = {
    "kind": frozenset({KIND}),
    "period": frozenset({PRESET, CUSTOM}),
    "districts": frozenset({TOGGLE, ALL, DISTRICTS_DONE}),
    "format": frozenset({FORMAT}),
    "names": frozenset({NAMES}),
    "ready": frozenset(),
}


@dataclass
class ExportDraft:
    """What the person chose so far."""

    id: str
    choices: ExportChoices
    message_id: int | None = None  # the question whose buttons are live
    kind: ExportKind | None = None
    period: Period | None = None
    preset: Preset | None = None  # None with a typed period
    all_districts: bool = True
    selected: set[int] = field(default_factory=set)  # indexes into choices.districts
    districts_done: bool = False
    format: ExportFormat | None = None
    names: bool | None = None
    running: bool = False
    practice: bool = False  # '/export oefening': practice check-ins too, marked (issue 17)

    def step(self) -> Step:
        """The first question still open."""
        if self.kind is None:
            return "kind"
        if self.period is None:
            return "period"
        if not self.districts_done:
            return "districts"
        if self.format is None:
            return "format"
        if self.kind == "answers" and self.names is None:
            return "names"
        return "ready"

    def districts(self) -> tuple[str, ...]:
        """The chosen district names; () means all the person may export."""
        if self.all_districts:
            return ()
        return tuple(self.choices.districts[i] for i in sorted(self.selected))

    def request(self) -> ExportRequest:
        """The request for the export service (which checks it all again)."""
        assert self.kind is not None and self.format is not None and self.period is not None
        return ExportRequest(
            format=self.format,
            kind=self.kind,
            since=self.period.since,
            until=self.period.until,
            districts=self.districts(),
            names=bool(self.names) and self.kind == "answers",
            # Summaries always hide small groups at the configured k (see the README).
            min_respondents=self.choices.min_respondents,
            practice=self.practice,
        )


def new_draft(context: BotContext, choices: ExportChoices) -> ExportDraft:
    """Start a draft; the district question is skipped when there is nothing to choose."""
    draft = ExportDraft(secrets.token_urlsafe(4), choices)
    draft.districts_done = len(choices.districts) <= 1
    if not choices.names_allowed:
        draft.names = False
    drafts = _drafts(context)
    drafts[draft.id] = draft
    while len(drafts) > _KEEP:
        drafts.pop(next(iter(drafts)))
    return draft


def find_draft(context: BotContext, draft_id: str) -> ExportDraft | None:
    """The person's draft with this id, or None when it is gone."""
    return _drafts(context).get(draft_id)


def drop_draft(context: BotContext, draft_id: str) -> None:
    """Forget a draft."""
    _drafts(context).pop(draft_id, None)


def _drafts(context: BotContext) -> dict[str, ExportDraft]:
    user_data: dict[Any, Any] | None = context.user_data
    if user_data is None:
        return {}
    drafts: dict[str, ExportDraft] = user_data.setdefault(_KEY, {})
    return drafts


def choose(draft: ExportDraft, action: str, value: int, today: date) -> str | None:
    """Apply a press to the draft; return the text key of a problem, or None.

    The press was already matched to the draft's current step; values out of range are
    treated like any forged press. Period presets count back from today (a local date).
    """
    stale = "export.stale"
    count = len(draft.choices.districts)
    if action == KIND:
        if not 0 <= value < len(KINDS):
            return stale
        draft.kind = KINDS[value]
    elif action == PRESET:
        if not 0 <= value < len(PRESETS):
            return stale
        draft.preset = PRESETS[value]
        draft.period = preset_period(draft.preset, today)
    elif action == FORMAT:
        if not 0 <= value < len(FORMATS):
            return stale
        draft.format = FORMATS[value]
    elif action == TOGGLE:
        if not 0 <= value < min(count, MAX_TOGGLES):
            return stale
        if draft.all_districts:
            draft.all_districts, draft.selected = False, set()
        draft.selected ^= {value}
    elif action == ALL:
        draft.all_districts, draft.selected = True, set()
    elif action == DISTRICTS_DONE:
        if not draft.all_districts and not draft.selected:
            return "export.districts.none"
        draft.districts_done = True
    elif action == NAMES:
        if value not in (0, 1) or (value and not draft.choices.names_allowed):
            return stale
        draft.names = bool(value)
    return None
