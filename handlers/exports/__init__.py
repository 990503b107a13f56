"""Telegram handlers of the exports feature."""
