"""Telegram handlers of the privacy feature: /privacy, /mijngegevens, /vergeetmij."""
