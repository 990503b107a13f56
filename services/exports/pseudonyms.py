"""Stable pseudonyms: the same person gets the same one in every export, irreversibly."""

from __future__ import annotations

import hashlib
import hmac

from services.exports.memo import Memo

PREFIX = "p-"
# 12 hex characters are 48 bits: a collision among 100,000 people has odds of about 1 in 56,000.
LENGTH = 12


class Pseudonyms(Memo[int, str]):
    """HMAC-SHA256 of the Telegram user id under the configured secret key, shortened.

    Also a dict from Telegram user id to pseudonym, filled as people come up: bounded by the
    number of people, not of answers, it saves an HMAC per repeated person.
    """

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("a pseudonym key must not be empty")
        super().__init__(self._pseudonym)
        self._key = key

    def __call__(self, telegram_user_id: int) -> str:
        """Return the person's pseudonym, e.g. 'p-3f9a0c41d2e7'."""
        return self[telegram_user_id]

    def _pseudonym(self, telegram_user_id: int) -> str:
        digest = hmac.new(self._key, str(telegram_user_id).encode(), hashlib.sha256)
        return PREFIX + digest.hexdigest()[:LENGTH]
