"""The framework's ceiling: a bare PTB Application that only answers each callback query.

Run as its own process by the answer-burst scenario (`python -m bench.bare TOKEN URL`),
with the same throughput settings as the bot (bot/app.py), but no database and no handlers
of ours: what it reaches is what PTB and its HTTP client reach on this machine.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, CallbackQueryHandler

from bot.app import throughput
from bot.gc_tuning import tune_for_throughput

os.environ.setdefault("PTB_TIMEDELTA", "1")


async def answer(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Answer the press, nothing else."""
    if update.callback_query is not None:
        await update.callback_query.answer("ok")


def main(argv: list[str]) -> None:
    """Poll the sandbox until stopped."""
    token, base_url = argv
    tune_for_throughput()  # as `bondgenoten run` does
    builder = Application.builder().token(token).base_url(base_url)
    app = throughput(builder).build()
    app.add_handler(CallbackQueryHandler(answer))
    app.run_polling(allowed_updates=[Update.CALLBACK_QUERY])


if __name__ == "__main__":
    main(sys.argv[1:])
