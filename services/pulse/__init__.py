"""Recurring pulse check-ins: schedules, their rhythm in local time, and their occurrences."""
