"""Telegram handlers of the districts feature."""
