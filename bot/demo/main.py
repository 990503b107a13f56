"""Run the demo and show what the chief sees, as text for people or as one JSON object."""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.demo.scenario import play
from bot.logging_setup import quiet_skipped_runs
from handlers.i18n import number, t


def run_demo(database_url: str | None, as_json: bool, language: str = "nl") -> int:
    """Play the demo in a language on a temporary SQLite database (or the given one), and print
    the result: for people in that language, or as one JSON object."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    quiet_skipped_runs()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bondgenoten-demo-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        result = asyncio.run(play(url, Path(tmp), language))
    result["seconds"] = round(time.monotonic() - started, 1)
    shown = _for_people(result, language)
    print(json.dumps(result, ensure_ascii=False, indent=2) if as_json else shown)
    complete = result["answers_stored"] == result["answers_pressed"]
    complete = complete and result["reminders_to_people_who_had_answered"] == 0
    complete = complete and result["summaries_to_chiefs"] == result["chiefs"]
    return 0 if complete and not result["deliveries_failed"] else 1


def _for_people(result: dict[str, Any], language: str) -> str:
    lang, rule = language, "─" * 72
    network = t("demo.network", lang, districts=result["districts"], members=result["members"])
    reminders = t(
        "demo.reminders",
        lang,
        sent=result["reminders_sent"],
        answered=result["reminders_to_people_who_had_answered"],
        reached=result["summaries_to_chiefs"],
        chiefs=result["chiefs"],
    )
    totals = t(
        "demo.totals",
        lang,
        pressed=result["answers_pressed"],
        stored=result["answers_stored"],
        sent=result["deliveries_sent"],
        failed=result["deliveries_failed"],
        groups=result["feedback_delivered"],
        seconds=number(result["seconds"], lang),
    )
    lines = [
        t("demo.title", lang),
        network,
        "",
        t("demo.chief_received", lang),
        rule,
        result["delivery_report"],
        rule,
        *[alert + "\n" + rule for alert in result["alerts"]],
        *[part + "\n" + rule for part in result["summary_text"]],
        reminders,
        t("demo.feedback_head", lang),
        result["feedback_report"],
        t("demo.meal_head", lang),
        rule,
        result["meeting"]["headcount_text"],
        rule,
        t("demo.pulse_head", lang),
        rule,
        result["pulse"]["scheduled_text"],
        rule,
        t("demo.english_head", lang),
        result["english_key_figure"]["welcome"].split("\n", 1)[0],
        t("demo.practice_head", lang),
        rule,
        result["practice"]["group_text"],
        rule,
        result["practice"]["wipe_text"],
        rule,
        totals,
    ]
    return "\n".join(lines)
