"""Telegram handlers of the checkins feature."""
