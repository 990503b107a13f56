"""PNG charts for the chat: the trend per district and the levels of a closing summary.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, so no global figure state),
sized for a phone held upright: 1080 pixels wide, large type. Drawing is slow enough to call
through asyncio.to_thread; a lock keeps matplotlib's shared caches to one thread at a time.
matplotlib is imported when the first chart is drawn: it takes a third of a second, and the
bot starts up without it.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from datetime import datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from handlers.i18n import Safe, percent, short_date, t, tn
from services.checkins.views import CheckInSummary, DistrictSummary
from services.insight.views import DistrictTrend

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ft2font import FT2Font

DPI = 100
WIDTH = 1080
TREND_HEIGHT = 1350  # 4:5, the tallest a phone shows without cropping in a chat
# Four panels keep the axes, ticks and titles of each readable on a phone; more get cramped.
TREND_PER_IMAGE = 4
SUMMARY_PER_IMAGE = 15
_EVENT_LINES = 12
_EVENT_CHARS = 58
_LEVEL_COLOURS = {
    1: "#2e7d32",
    2: "#9ccc65",
    3: "#ffb300",
    4: "#f4511e",
    5: "#b71c1c",
    0: "#9e9e9e",
}
_SPARE_COLOURS = ("#5c6bc0", "#8d6e63", "#26a69a", "#ab47bc")
_MEDIAN_COLOUR = "#1f4e79"
_RATE_COLOUR = "#c9d6e3"
_LOCK = threading.Lock()
T = TypeVar("T")


def pages(items: Sequence[T], per_page: int) -> list[list[T]]:
    """Split into as few pages as per_page allows, as evenly as possible (7 → 4 + 3)."""
    if not items:
        return []
    count = math.ceil(len(items) / per_page)
    size = math.ceil(len(items) / count)
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


@cache
def _font() -> FT2Font:
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    return FT2Font(findfont(FontProperties()))


def plain(text: str, limit: int | None = None) -> str:
    """Text the chart font can draw: characters it lacks (emoji, say) are left out, so that
    matplotlib does not warn; cut to limit characters with an ellipsis."""
    font = _font()
    kept = "".join(c for c in text if c in "\n " or font.get_char_index(ord(c)))
    kept = " ".join(kept.split()) if "\n" not in text else kept
    if limit is not None and len(kept) > limit:
        kept = kept[: limit - 1].rstrip() + "…"
    return kept


def _text(key: str, language: str | None, **values: object) -> str:
    # Chart texts are drawn, not parsed as HTML: nothing may be escaped.
    return plain(t(key, language, **{k: Safe(str(v)) for k, v in values.items()}))


def _levels(language: str | None) -> str:
    """'1 Rustig · 2 Onderwerp van gesprek · …': what the median axis's numbers mean."""
    return " · ".join(f"{code} {t(f'scale.{code}', language)}" for code in range(1, 6))


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _day(value: datetime, tz: ZoneInfo, language: str | None) -> str:
    return short_date(value.astimezone(tz), language)


def trend_png(districts: Sequence[DistrictTrend], tz: ZoneInfo, language: str | None) -> bytes:
    """One 1080×1350 image: per district a panel with the median level of each closed check-in
    (line, left axis 1–5) and its response rate (bars, right axis 0–100 %); below, the events."""
    with _LOCK:
        return _png(_trend_figure(districts, tz, language))


def _trend_figure(
    districts: Sequence[DistrictTrend], tz: ZoneInfo, language: str | None
) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH / DPI, TREND_HEIGHT / DPI), dpi=DPI)
    events: dict[int, str] = {}
    pulse = _text("pulse.chart.mark", language)
    for district in districts:
        for point in district.points:
            event = f"{pulse} {point.event}" if point.pulse else point.event
            events[point.checkin_id] = f"{_day(point.closed_at, tz, language)}  {event}"
    shown = sorted(events.items())[-_EVENT_LINES:]
    lines = [f"#{checkin_id}  {plain(text, _EVENT_CHARS)}" for checkin_id, text in shown]
    if len(events) > len(shown):
        more = len(events) - len(shown)
        lines.insert(0, plain(tn("insight.chart.more_events", more, language)))
    figure.text(
        0.5, 0.988, _text("insight.chart.trend_title", language), ha="center", va="top",
        fontsize=30, weight="bold", parse_math=False,
    )  # fmt: skip
    legend = _text("insight.chart.trend_legend", language, levels=_levels(language))
    if any(p.pulse for d in districts for p in d.points):
        legend += "\n" + _text("pulse.chart.legend", language, mark=pulse)
    figure.text(
        0.5, 0.95, legend, ha="center", va="top", fontsize=15, color="#444444",
        linespacing=1.4, parse_math=False,
    )  # fmt: skip
    # The events' block at the bottom is sized to its lines; the panels share the rest.
    events_height = (len(lines) * 27 + 20) / TREND_HEIGHT
    bottom = 0.015 + events_height
    figure.text(
        0.04, bottom - 0.01, "\n".join(lines), ha="left", va="top", fontsize=16,
        linespacing=1.25, family="DejaVu Sans Mono", parse_math=False,
    )  # fmt: skip
    grid = figure.add_gridspec(
        len(districts), 1, left=0.085, right=0.9, top=0.865, bottom=bottom + 0.06, hspace=0.85
    )
    for row, district in enumerate(districts):
        _trend_panel(figure.add_subplot(grid[row]), district, tz, language)
    return figure


def _trend_panel(axes: Axes, district: DistrictTrend, tz: ZoneInfo, language: str | None) -> None:
    points = district.points
    x = list(range(len(points)))
    rates = axes.twinx()
    # The median line in front of the rate bars: the line on the top axes, its face clear.
    axes.set_zorder(rates.get_zorder() + 1)
    axes.patch.set_visible(False)
    rates.bar(
        x, [0 if p.response_rate is None else p.response_rate * 100 for p in points],
        width=0.55, color=_RATE_COLOUR, zorder=1,
    )  # fmt: skip
    rates.set_ylim(0, 100)
    shares = [percent(share, language) for share in (0, 0.5, 1)]  # '50%', Turkish '%50'
    rates.set_yticks([0, 50, 100], labels=shares, fontsize=15)
    medians = [math.nan if p.median is None else p.median for p in points]
    axes.plot(x, medians, color=_MEDIAN_COLOUR, linewidth=3.5, marker="o", markersize=11)
    # A recurring pulse's point: a white square over the dot, so the rhythm stands apart
    # from the check-ins after events.
    pulses = [i for i, p in enumerate(points) if p.pulse and p.median is not None]
    if pulses:
        axes.plot(
            pulses, [medians[i] for i in pulses], linestyle="none", marker="s", markersize=13,
            markerfacecolor="white", markeredgecolor=_MEDIAN_COLOUR, markeredgewidth=3,
        )  # fmt: skip
    axes.set_ylim(0.6, 5.4)
    axes.set_yticks([1, 2, 3, 4, 5], labels=["1", "2", "3", "4", "5"], fontsize=15)
    axes.grid(axis="y", color="#dddddd", linewidth=1)
    axes.set_xlim(-0.6, max(len(points) - 0.4, 2.4))
    labels = [f"#{p.checkin_id}\n{_day(p.closed_at, tz, language)}" for p in points]
    axes.set_xticks(x, labels=labels, fontsize=14, parse_math=False)
    axes.set_title(
        plain(district.district, 40), loc="left", fontsize=23, weight="bold", pad=8,
        parse_math=False,
    )  # fmt: skip
    for side in ("top",):
        axes.spines[side].set_visible(False)
        rates.spines[side].set_visible(False)


def _colour(code: int, index: int) -> str:
    return _LEVEL_COLOURS.get(code, _SPARE_COLOURS[index % len(_SPARE_COLOURS)])


@lru_cache(maxsize=8)
def summary_pngs(summary: CheckInSummary, language: str | None) -> tuple[bytes, ...]:
    """The levels per district as stacked bars, up to 15 districts an image; none when
    nobody answered anywhere. Cached: the same summary goes to several people."""
    if not any(c.count for d in summary.districts for c in d.counts):
        return ()
    with _LOCK:
        return tuple(
            _png(_summary_figure(summary, part, language))
            for part in pages(summary.districts, SUMMARY_PER_IMAGE)
        )


def _summary_figure(
    summary: CheckInSummary, districts: Sequence[DistrictSummary], language: str | None
) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    height = 370 + 82 * len(districts)
    figure = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI)
    title = _text("insight.chart.summary_title", language, id=summary.checkin_id)
    figure.text(
        0.5, 1 - 24 / height, title, ha="center", va="top", fontsize=26, weight="bold",
        parse_math=False,
    )  # fmt: skip
    event = plain(summary.event, 70)
    if summary.practice:  # the chart font has no emoji: the words only
        event = f"{event} · {_text('practice.chart.mark', language)}"
    figure.text(
        0.5, 1 - 68 / height, event, ha="center", va="top", fontsize=17,
        color="#444444", parse_math=False,
    )  # fmt: skip
    axes = figure.add_axes((0.3, 100 / height, 0.62, 1 - 290 / height))
    rows = list(reversed(districts))  # the first district on top
    y = list(range(len(rows)))
    left = [0] * len(rows)
    levels = rows[0].counts if rows else ()
    for index, level in enumerate(levels):
        widths = [next(c.count for c in d.counts if c.key == level.key) for d in rows]
        axes.barh(
            y, widths, left=left, height=0.62, color=_colour(int(level.key), index),
            label=_text(level.label_key, language),
        )  # fmt: skip
        left = [a + b for a, b in zip(left, widths, strict=True)]
    most = max([*left, 1])
    for row, (district, total) in enumerate(zip(rows, left, strict=True)):
        axes.text(
            total + most * 0.02, row, f"{district.responded}/{district.key_figures}",
            va="center", fontsize=16, parse_math=False,
        )  # fmt: skip
    axes.set_xlim(0, most * 1.18)
    axes.set_yticks(y, labels=[plain(d.district, 22) for d in rows], fontsize=18, parse_math=False)
    axes.tick_params(axis="x", labelsize=14)
    axes.set_xlabel(_text("insight.chart.answers", language), fontsize=15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(
        loc="upper center", bbox_to_anchor=(0.5, 1 - 104 / height), ncols=3, fontsize=15,
        frameon=False,
    )  # fmt: skip
    return figure
