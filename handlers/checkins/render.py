"""Render check-in messages, delivery reports and summaries as Telegram text and keyboards."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.checkins.answer_keyboards import AnswerPress
from handlers.i18n import t, tn
from handlers.render import local_time
from services.checkins.views import (
    CheckInMessage,
    CheckInSummary,
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


def render_checkin(
    message: CheckInMessage, tz: ZoneInfo, language: str | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and answer buttons of a check-in message in a group or a private chat."""
    tally = message.tally
    lines = [t("reminder.head", language), ""] if message.reminder else []
    lines += [
        t("checkin.message.head", language, event=message.event),
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


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").replace(",0", "")


def _median_text(median: float | None, language: str | None) -> str:
    if median is None:
        return t("checkin.summary.no_median", language)
    label = t(f"scale.{round(median)}", language) if median == int(median) else ""
    return f"{_number(median)} ({label})" if label else _number(median)


def _district_block(d: DistrictSummary, language: str | None) -> list[str]:
    rate = f"{round(d.response_rate * 100)}%" if d.response_rate is not None else "–"
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
    if d.previous is not None and d.previous.median_delta is not None:
        sign = "+" if d.previous.median_delta > 0 else ""
        lines.append(
            t(
                "checkin.summary.previous",
                language,
                event=d.previous.event,
                delta=f"{sign}{_number(d.previous.median_delta)}",
            )
        )
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
    closed = local_time(summary.closed_at, tz, language) if summary.closed_at else "–"
    head = t(
        "checkin.summary.head",
        language,
        event=summary.event,
        id=summary.checkin_id,
        opened=local_time(summary.opened_at, tz, language),
        closed=closed,
    )
    blocks = [[head]]
    blocks.extend(_district_block(d, language) for d in summary.districts)
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
