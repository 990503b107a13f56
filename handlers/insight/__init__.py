"""Telegram handlers of the insight feature."""
