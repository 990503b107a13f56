"""The charts: PNGs that open, at the size a phone shows well, drawn from plain data."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from matplotlib.image import imread

from handlers.checkins.charts import TREND_PER_IMAGE, pages, plain, summary_pngs, trend_png
from services.checkins.views import CheckInSummary, Count, DistrictSummary
from services.insight import DistrictTrend, TrendPoint

TZ = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
LEVELS = ((1, "scale.1"), (2, "scale.2"), (3, "scale.3"), (4, "scale.4"), (5, "scale.5"))


def size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (the IHDR chunk comes first)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def opened(png: bytes) -> tuple[int, ...]:
    """Decode the whole image, as a viewer would; return its array shape."""
    return tuple(imread(io.BytesIO(png), format="png").shape)


def trend(name: str, count: int, first_id: int = 100) -> DistrictTrend:
    return DistrictTrend(
        1,
        name,
        tuple(
            TrendPoint(
                checkin_id=first_id + i,
                event=f"Gebeurtenis {i} met $geld$ en 🚨 sirenes",
                closed_at=START + timedelta(days=9 * i),
                median=None if i == 1 else 1 + (i % 5) * 0.5,
                response_rate=None if i == 2 else (i % 4) / 4,
                responded=i,
                key_figures=None if i == 2 else 4,
            )
            for i in range(count)
        ),
    )


def summary(districts: int, answered: bool = True) -> CheckInSummary:
    rows = tuple(
        DistrictSummary(
            district_id=d,
            district=f"Wijk {d} 🏘",
            responded=3 if answered else 0,
            key_figures=5,
            response_rate=0.6,
            counts=(
                *(Count(str(c), key, (d + c) % 3 if answered else 0) for c, key in LEVELS),
                Count("0", "scale.0", 1 if answered else 0),
            ),
            median=2.0,
            directions=(),
            themes=(),
            contact_requests=0,
            free_texts=(),
            previous=None,
        )
        for d in range(districts)
    )
    return CheckInSummary(12, "Aanslag op moskee in Québec", START, START, rows, ())


@pytest.mark.parametrize("districts", [1, TREND_PER_IMAGE])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_trend_png_is_phone_sized_and_opens(districts: int, language: str) -> None:
    # Many points and long, odd events (a dollar sign, an emoji): no warning, no mathtext.
    png = trend_png([trend(f"Wijk {i}", 12) for i in range(districts)], TZ, language)
    assert size(png) == (1080, 1350)
    assert opened(png) == (1350, 1080, 4)


def test_trend_png_of_a_single_point() -> None:
    assert size(trend_png([trend("Overvecht", 1)], TZ, "nl")) == (1080, 1350)


def test_summary_png_grows_with_the_districts_and_splits_past_fifteen() -> None:
    [one] = summary_pngs(summary(1), "nl")
    assert size(one) == (1080, 452)
    assert opened(one) == (452, 1080, 4)
    first, second = summary_pngs(summary(16), "en")
    assert size(first) == (1080, 370 + 82 * 8)
    assert size(second) == size(first)


def test_no_summary_chart_when_nobody_answered() -> None:
    assert summary_pngs(summary(3, answered=False), "nl") == ()


def test_pages_split_evenly() -> None:
    assert [len(p) for p in pages(list(range(7)), 4)] == [4, 3]
    assert [len(p) for p in pages(list(range(9)), 4)] == [3, 3, 3]
    assert [len(p) for p in pages(list(range(4)), 4)] == [4]
    assert pages([], 4) == []


def test_plain_leaves_out_what_the_font_cannot_draw() -> None:
    assert plain("Lunetten 🏠 é ğ") == "Lunetten é ğ"
    assert plain("Een heel lange gebeurtenis", 10) == "Een heel…"


def test_trend_marks_the_recurring_pulses() -> None:
    from dataclasses import replace

    from handlers.checkins.charts import _trend_figure

    plain_trend = trend("Overvecht", 4)
    pulsed = replace(
        plain_trend,
        points=tuple(replace(p, pulse=i in (0, 3)) for i, p in enumerate(plain_trend.points)),
    )
    figure = _trend_figure([pulsed], TZ, "nl")
    texts = "\n".join(text.get_text() for text in figure.texts)
    assert "[puls] Gebeurtenis 0" in texts and "[puls] Gebeurtenis 1" not in texts
    assert "[puls] = terugkerende peiling" in texts
    squares = [line for line in figure.axes[0].get_lines() if line.get_marker() == "s"]
    assert [list(line.get_xdata()) for line in squares] == [[0, 3]]
    unmarked = _trend_figure([plain_trend], TZ, "nl")
    assert "[puls]" not in "\n".join(text.get_text() for text in unmarked.texts)
    assert size(trend_png([pulsed], TZ, "en")) == (1080, 1350)
