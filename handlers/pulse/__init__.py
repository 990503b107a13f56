"""Recurring pulse check-ins in the private chat: /puls to schedule, list and change them."""
