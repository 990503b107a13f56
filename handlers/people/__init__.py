"""Telegram handlers of the people feature."""
