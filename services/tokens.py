"""Invitation tokens: unguessable, fit a Telegram deep link, and only their hash is kept."""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32  # 256 bits; token_urlsafe makes 43 characters of A-Za-z0-9_-
# Telegram's /start payload: at most 64 characters of A-Za-z0-9_-.
_DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_token() -> str:
    """Return a fresh random token usable as a deep-link payload."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class TokenHash(str):
    """A token's stored hash, kept instead of the token where it must wait a while (between
    opening a link and pressing Join): a copy of it, like the invitations table, lets nobody
    join."""

    __slots__ = ()


def seal(token: str) -> TokenHash:
    """The hash that stands in for a token until it is used."""
    return TokenHash(hash_token(token))


def looks_like_token(token: str) -> bool:
    """Tell whether a string could be a token at all (forged payloads are refused early)."""
    return _DEEP_LINK_PAYLOAD.fullmatch(token) is not None
