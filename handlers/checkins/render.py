"""Render check-in messages, delivery reports and summaries as Telegram text and keyboards."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.checkins.answer_keyboards import AnswerPress
from handlers.i18n import number, percent, t, tn
from handlers.render import local_time
from services.checkins.views import (
    CheckInMessage,
    CheckInSummary,
    Comparison,
    Count,
    DeliveryReport,
    DistrictSummary,
    Undelivered,
)

# Telegram allows 4096 characters; stay below so a summary part never gets cut.
MESSAGE_LIMIT = 3800


def counts_line(counts: tuple[Count, ...], language: str | None) -> str:
    """'Rustig 3 · Onrust 2', leaving out what nobody chose."""
    parts = [f"{t(c.label_key, language)} {c.count}" for c in counts if c.count]
    return " · ".join(parts)


def pulse_label(every_weeks: int, language: str | None) -> str:
    """'Maandelijkse peiling', 'Wekelijkse peiling', 'Peiling om de 2 weken'."""
    if every_weeks == 0:
        return t("pulse.label.monthly", language)
    if every_weeks == 1:
        return t("pulse.label.weekly", language)
    return t("pulse.label.weeks", language, n=every_weeks)


def practice_mark(language: str | None) -> str:
    """'🧪 Oefening — telt niet mee': on everything a practice check-in shows."""
    return t("practice.mark", language)


def render_checkin(
    message: CheckInMessage, tz: ZoneInfo, language: str | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and answer buttons of a check-in message in a group or a private chat."""
    tally = message.tally
    lines = [t("reminder.head", language), ""] if message.reminder else []
    lines += [t("checkin.message.head", language, event=message.event)]
    if message.pulse_weeks is not None:  # under the head: "📣 Peiling" still opens it
        lines.append(f"🔁 {pulse_label(message.pulse_weeks, language)}")
    if message.practice:
        lines.append(practice_mark(language))
    lines += [
        t("checkin.message.question", language, district=message.district),
        "",
    ]
    if message.open:
        lines.append(
            t(
                "checkin.message.open_until",
                language,
                at=local_time(message.closes_at, tz, language),
            )
        )
    else:
        lines.append(t("checkin.message.closed", language))
    if tally.away:
        lines.append(
            tn(
                "checkin.message.responded_away",
                tally.responded,
                language,
                total=tally.key_figures,
                away=tally.away,
            )
        )
    else:
        lines.append(
            tn("checkin.message.responded", tally.responded, language, total=tally.key_figures)
        )
    if tally.shown and any(c.count for c in tally.counts):
        lines.append(counts_line(tally.counts, language))
    elif not tally.shown and message.open:
        lines.append(t("checkin.message.tally_hidden", language))
    if message.private and message.open:
        lines.append("")
        lines.append(t("checkin.message.private_note", language))
    keyboard = None
    if message.open and message.choices:
        checkin_id = message.checkin_id if message.checkin_id is not None else 0
        buttons = [
            InlineKeyboardButton(
                t(level.label_key, language),
                callback_data=AnswerPress(checkin_id, message.district_id, level.code).encode(),
            )
            for level in message.choices
        ]
        keyboard = InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])
    return "\n".join(lines), keyboard


def _undelivered_line(item: Undelivered, language: str | None) -> str:
    reason = t(f"checkin.reason.{item.reason}", language)
    if item.detail:
        return t(
            "checkin.undelivered.detail",
            language,
            district=item.district,
            reason=reason,
            detail=item.detail,
        )
    return t("checkin.undelivered.plain", language, district=item.district, reason=reason)


def render_report(report: DeliveryReport, tz: ZoneInfo, language: str | None = None) -> str:
    """The delivery report for the chief: where it arrived, where not and why."""
    lines = [t("checkin.report.head", language, event=report.event, id=report.checkin_id)]
    if report.practice:
        lines.append(practice_mark(language))
    if report.sent:
        lines.append(
            tn("checkin.report.sent", len(report.sent), language, districts=", ".join(report.sent))
        )
    if report.undelivered:
        lines.append(t("checkin.report.undelivered", language))
        lines.extend(_undelivered_line(u, language) for u in report.undelivered)
    if report.pending:
        lines.append(t("checkin.report.pending", language, districts=", ".join(report.pending)))
    if report.uncertain:
        districts = ", ".join(report.uncertain)
        lines.append(
            tn("checkin.report.uncertain", len(report.uncertain), language, districts=districts)
        )
    if report.private_sent or report.private_failed or report.private_pending:
        lines.append(
            t(
                "checkin.report.private",
                language,
                sent=report.private_sent,
                failed=report.private_failed,
                pending=report.private_pending,
            )
        )
    lines.append(
        t("checkin.report.closes", language, at=local_time(report.closes_at, tz, language))
    )
    return "\n".join(lines)


def _signed(value: float, language: str | None) -> str:
    return f"+{number(value, language)}" if value > 0 else number(value, language)


def _median_text(median: float | None, language: str | None) -> str:
    """'3 (Onrust)', or for a half step '3,5 — tussen Onrust en Spanning loopt op'."""
    if median is None:
        return t("checkin.summary.no_median", language)
    if median == int(median):
        return f"{number(median, language)} ({t(f'scale.{int(median)}', language)})"
    # An even number of answers can land between two levels: name both, pick neither.
    low, high = t(f"scale.{int(median)}", language), t(f"scale.{int(median) + 1}", language)
    return t(
        "summary.median_between", language, median=number(median, language), low=low, high=high
    )


def _comparison_line(previous: Comparison, language: str | None) -> str | None:
    """How this check-in differs from the district's previous one: median and response."""
    parts = []
    if previous.median_delta is not None:
        parts.append(
            t("summary.delta_median", language, delta=_signed(previous.median_delta, language))
        )
    if previous.response_rate_delta is not None:
        points = round(previous.response_rate_delta * 100)
        parts.append(
            tn("summary.delta_response", abs(points), language, delta=_signed(points, language))
        )
    if not parts:
        return None
    return t("summary.compared", language, event=previous.event, changes=", ".join(parts))


def _baseline_line(d: DistrictSummary, language: str | None) -> str | None:
    """Where the district stands against its usual level, when it has an answer to compare."""
    if d.median is None:
        return None
    if d.baseline is None:
        return t("baseline.none", language)
    diff = d.median - d.baseline
    if diff > 0:
        where = t("baseline.above", language, steps=number(diff, language))
    elif diff < 0:
        where = t("baseline.below", language, steps=number(-diff, language))
    else:
        where = t("baseline.level", language)
    usual = number(d.baseline, language)
    return tn("baseline.summary", d.baseline_checkins, language, usual=usual, where=where)


def _period(summary: CheckInSummary, tz: ZoneInfo, language: str | None) -> str:
    """'Open van ma 7 dec 09:00 tot 21:00', or one moment when it closed within the minute."""
    opened = local_time(summary.opened_at, tz, language)
    if summary.closed_at is None:
        return t("summary.period_open", language, opened=opened)
    start, end = summary.opened_at.astimezone(tz), summary.closed_at.astimezone(tz)
    if start.replace(second=0, microsecond=0) == end.replace(second=0, microsecond=0):
        return t("summary.period_moment", language, at=opened)
    if start.date() == end.date():
        return t("summary.period", language, opened=opened, closed=f"{end:%H:%M}")
    return t("summary.period", language, opened=opened, closed=local_time(end, tz, language))


def _district_block(d: DistrictSummary, language: str | None, practice: bool = False) -> list[str]:
    rate = percent(d.response_rate, language) if d.response_rate is not None else "–"
    lines = [
        t(
            "checkin.summary.district",
            language,
            district=d.district,
            responded=d.responded,
            total=d.key_figures,
            rate=rate,
        ),
    ]
    if any(c.count for c in d.counts):
        lines.append(counts_line(d.counts, language))
    lines.append(t("checkin.summary.median", language, median=_median_text(d.median, language)))
    # Practice is compared with nothing: it has no usual level and no previous check-in.
    usual = None if practice else _baseline_line(d, language)
    if usual is not None:
        lines.append(usual)
    compared = None
    if d.previous is not None and not practice:
        compared = _comparison_line(d.previous, language)
    if compared is not None:
        lines.append(compared)
    if any(c.count for c in d.directions):
        lines.append(
            t("checkin.summary.directions", language, counts=counts_line(d.directions, language))
        )
    if any(c.count for c in d.themes):
        lines.append(t("checkin.summary.themes", language, counts=counts_line(d.themes, language)))
    if d.contact_requests:
        lines.append(tn("checkin.summary.contact", d.contact_requests, language))
    for text in d.free_texts:
        lines.append(t("checkin.summary.free_text", language, who=text.pseudonym, text=text.text))
    return lines


def render_summary(
    summary: CheckInSummary, tz: ZoneInfo, language: str | None = None
) -> list[str]:
    """The closing summary, split into messages that each fit Telegram's limit."""
    head = t("checkin.summary.head", language, event=summary.event, id=summary.checkin_id)
    if summary.pulse_weeks is not None:
        head = f"{head}\n🔁 {pulse_label(summary.pulse_weeks, language)}"
    if summary.practice:
        head = f"{head}\n{practice_mark(language)}"
    blocks = [[head + "\n" + _period(summary, tz, language)]]
    blocks.extend(_district_block(d, language, summary.practice) for d in summary.districts)
    if summary.undelivered:
        blocks.append(
            [t("checkin.report.undelivered", language)]
            + [_undelivered_line(u, language) for u in summary.undelivered]
        )
    # Pack whole lines (a free text is at most ~1000 characters), never cutting one: a cut
    # could split an HTML entity and make Telegram refuse the message.
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        for index, line in enumerate(block):
            extra = len(line) + 1 + (1 if index == 0 and current else 0)
            if current and size + extra > MESSAGE_LIMIT:
                parts.append("\n".join(current))
                current, size = [], 0
            if index == 0 and current:
                current.append("")
            current.append(line)
            size += extra
    if current:
        parts.append("\n".join(current))
    return parts
