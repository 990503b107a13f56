"""Stable pseudonyms: the same person gets the same one in every export, irreversibly."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "p-"
# 12 hex characters are 48 bits: a collision among 100,000 people has odds of about 1 in 56,000.
LENGTH = 12


class Pseudonyms:
    """HMAC-SHA256 of the Telegram user id under the configured secret key, shortened."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("a pseudonym key must not be empty")
        self._key = key
        # Bounded by the number of people, not of answers; saves an HMAC per repeated person.
        self._known: dict[int, str] = {}

    def __call__(self, telegram_user_id: int) -> str:
        """Return the person's pseudonym, e.g. 'p-3f9a0c41d2e7'."""
        found = self._known.get(telegram_user_id)
        if found is None:
            digest = hmac.new(self._key, str(telegram_user_id).encode(), hashlib.sha256)
            found = self._known[telegram_user_id] = PREFIX + digest.hexdigest()[:LENGTH]
        return found
