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


def run_demo(database_url: str | None, as_json: bool) -> int:
    """Play the demo on a temporary SQLite database (or the given one) and print the result."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bondgenoten-demo-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}"
        result = asyncio.run(play(url, Path(tmp)))
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, ensure_ascii=False, indent=2) if as_json else _for_people(result))
    complete = result["answers_stored"] == result["answers_pressed"]
    complete = complete and result["reminders_to_people_who_had_answered"] == 0
    complete = complete and result["summaries_to_chiefs"] == result["chiefs"]
    return 0 if complete and not result["deliveries_failed"] else 1


def _for_people(result: dict[str, Any]) -> str:
    rule = "─" * 72
    lines = [
        "Bondgenoten demo — a local Telegram sandbox, the real bot, simulated people.",
        f"{result['districts']} districts, {result['members']} key figures, one chief.",
        "",
        "What the chief received:",
        rule,
        result["delivery_report"],
        rule,
        *[alert + "\n" + rule for alert in result["alerts"]],
        *[part + "\n" + rule for part in result["summary_text"]],
        f"Reminders sent {result['reminders_sent']} (to people who had answered: "
        f"{result['reminders_to_people_who_had_answered']}); summaries reached "
        f"{result['summaries_to_chiefs']} of {result['chiefs']} chiefs.",
        "The chief's feedback to the groups:",
        result["feedback_report"],
        "After the check-in, the meal: the chief's headcount for the caterer:",
        rule,
        result["meeting"]["headcount_text"],
        rule,
        "And besides check-ins after events, a recurring pulse:",
        rule,
        result["pulse"]["scheduled_text"],
        rule,
        "A practice check-in (oefening) in Zuilen, marked for everyone, then wiped:",
        rule,
        result["practice"]["group_text"],
        rule,
        result["practice"]["wipe_text"],
        rule,
        f"Answers pressed {result['answers_pressed']}, stored {result['answers_stored']}; "
        f"deliveries sent {result['deliveries_sent']}, failed {result['deliveries_failed']}; "
        f"feedback in {result['feedback_delivered']} groups; "
        f"{result['seconds']} s.",
    ]
    return "\n".join(lines)
