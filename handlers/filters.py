"""Shared filters: which updates count as a command the bot should act on."""

from __future__ import annotations

from telegram.ext import filters

# Commands arrive as new messages only: an edited "/peiling" must not start a second
# check-in. CommandHandler itself already drops "/cmd@otherbot".
NEW_MESSAGE = filters.UpdateType.MESSAGE
PRIVATE = filters.ChatType.PRIVATE
GROUPS = filters.ChatType.GROUPS
