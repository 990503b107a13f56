"""Telegram side of the bot's own health: watching the database."""
