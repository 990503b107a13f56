"""The texts of /export: the question with the choices so far, file names, outcomes."""

from __future__ import annotations

from datetime import date, datetime, time

from handlers import i18n
from handlers.common import refusal
from handlers.exports.draft import MAX_TOGGLES, ExportDraft
from handlers.i18n import t, tn
from services.exports import (
    BadPeriod,
    Exported,
    ExportOutcome,
    NamesNotAllowed,
    NoPseudonymKey,
    Unwritable,
    WriteFailed,
)
from services.insight import Period
from services.outcomes import Denied, UnknownDistrict

# What the Bot API accepts from a bot for sendDocument.
MAX_UPLOAD = 50 * 1024 * 1024
_EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "jsonl": "jsonl"}
_NAMED = 6  # more chosen districts than this are counted, not named


def file_name(draft: ExportDraft, today: date, language: str | None) -> str:
    """'bondgenoten-antwoorden-2026-11-28.csv'."""
    assert draft.kind is not None and draft.format is not None
    word = t(f"export.file.{draft.kind}", language)
    return f"bondgenoten-{word}-{today.isoformat()}.{_EXTENSIONS[draft.format]}"


def outcome_text(outcome: ExportOutcome, language: str | None) -> str | None:
    """The one line for an export that gives nothing to send; None when there is a file."""
    match outcome:
        case Exported(rows=0):
            return t("export.empty", language)
        case Exported(path=path) if path.stat().st_size > MAX_UPLOAD:
            return t("export.too_big", language)
        case Exported():
            return None
        case NoPseudonymKey():
            return t("export.no_key", language)
        case NamesNotAllowed():
            return t("export.names_not_allowed", language)
        case BadPeriod():
            return t("export.period_problem.reversed", language)
        case Unwritable() | WriteFailed():
            return t("export.failed", language)
        case Denied() | UnknownDistrict():
            return refusal(outcome, language)


def _day(value: date, language: str | None) -> str:
    return i18n.date(datetime.combine(value, time()), None, language)


def period_text(draft: ExportDraft, language: str | None) -> str:
    """'laatste 30 dagen', or '1 jan. 2026 – 31 mrt. 2026' for a typed period."""
    period = draft.period or Period()
    if draft.preset is not None:
        return t(f"export.period.{draft.preset}", language).lower()
    if period.since == period.until and period.since is not None:
        return _day(period.since, language)
    since = _day(period.since, language) if period.since else "…"
    until = _day(period.until, language) if period.until else "…"
    return f"{since} – {until}"


def districts_text(draft: ExportDraft, language: str | None) -> str:
    """'alle wijken', the names chosen, or how many when there are many."""
    chosen = draft.districts()
    if len(chosen) > _NAMED:
        # A caption holds 1024 characters; forty names would not fit.
        return tn("export.districts.count", len(chosen), language)
    if chosen:
        return ", ".join(chosen)
    if len(draft.choices.districts) == 1:
        return draft.choices.districts[0]
    return t("export.districts.all", language)


def question_text(draft: ExportDraft, language: str | None, *, ask: bool = True) -> str:
    """The choices so far, then the current question."""
    lines = [t("export.head", language)]
    if draft.kind is not None:
        lines.append(
            t("export.chosen.kind", language, kind=t(f"export.kind.{draft.kind}", language))
        )
    if draft.period is not None:
        lines.append(t("export.chosen.period", language, period=period_text(draft, language)))
    if draft.districts_done:
        lines.append(
            t("export.chosen.districts", language, districts=districts_text(draft, language))
        )
    if draft.format is not None:
        lines.append(
            t(
                "export.chosen.format",
                language,
                format=t(f"export.format.{draft.format}", language),
            )
        )
    if draft.kind == "answers" and draft.names is not None:
        key = "export.chosen.names" if draft.names else "export.chosen.pseudonyms"
        lines.append(t(key, language))
    if draft.kind == "summaries":
        lines.append(t("export.chosen.hide_small", language, k=draft.choices.min_respondents))
    if draft.practice:
        lines.append(t("practice.export.chosen", language))
    step = draft.step()
    if ask and step != "ready":
        lines += ["", t(f"export.ask.{step}", language)]
        if step == "districts" and len(draft.choices.districts) > MAX_TOGGLES:
            lines.append(t("export.districts.too_many", language, n=MAX_TOGGLES))
    return "\n".join(lines)


def caption(outcome: Exported, draft: ExportDraft, language: str | None) -> str:
    """'📄 42 antwoorden · laatste 30 dagen · Overvecht' under the document."""
    return tn(
        f"export.caption.{outcome.kind}",
        outcome.rows,
        language,
        period=period_text(draft, language),
        districts=districts_text(draft, language),
    )
