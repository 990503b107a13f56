"""Callback data as a codec: a short prefix and typed fields, at most 64 bytes.

Telegram hands callback_data back as the client sends it, and a modified client can send
anything: decoding is strict and returns None for whatever does not match a known shape.
Every decoded value is still only an id that the services must check.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar, Self, TypeVar, get_type_hints

MAX_BYTES = 64
SEPARATOR = ":"
_INT = re.compile(r"-?\d{1,19}\Z")
_STR = re.compile(r"[A-Za-z0-9_\-.]{0,40}\Z")

_REGISTRY: dict[str, type[CallbackData]] = {}

T = TypeVar("T", bound="CallbackData")


class CallbackData:
    """Base class: subclasses are frozen dataclasses with int, bool or short str fields."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not re.fullmatch(r"[a-z]{1,4}", prefix):
            raise ValueError(f"callback prefix {prefix!r} must be 1-4 lowercase letters")
        if prefix in _REGISTRY:
            raise ValueError(f"callback prefix {prefix!r} is used twice")
        cls.prefix = prefix
        _REGISTRY[prefix] = cls

    def encode(self) -> str:
        """Encode to callback_data; raises ValueError past Telegram's 64 bytes."""
        parts = [self.prefix]
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, bool):
                parts.append("1" if value else "0")
            elif isinstance(value, int):
                parts.append(str(value))
            else:
                if not _STR.match(value):
                    raise ValueError(f"{f.name}={value!r} cannot go into callback data")
                parts.append(value)
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data {data!r} is longer than {MAX_BYTES} bytes")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """A regex for CallbackQueryHandler that matches this prefix only."""
        return re.compile(rf"^{cls.prefix}(:|$)")

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """Decode data as this class, or None when it is anything else."""
        decoded = decode(data)
        return decoded if isinstance(decoded, cls) else None


_FIELDS: dict[type[CallbackData], tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type[CallbackData]) -> tuple[tuple[str, Any], ...]:
    """A class's fields with their types, in order (resolved once: type hints are slow)."""
    if cls not in _FIELDS:
        hints = get_type_hints(cls)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        _FIELDS[cls] = tuple((f.name, hints[f.name]) for f in fields)
    return _FIELDS[cls]


def decode(data: str | None) -> CallbackData | None:
    """Decode callback_data to its class, or None for anything malformed or unknown."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    prefix, *raw = data.split(SEPARATOR)
    cls = _REGISTRY.get(prefix)
    if cls is None:
        return None
    fields = _fields(cls)
    if len(raw) != len(fields):
        return None
    values: dict[str, Any] = {}
    for (name, kind), text in zip(fields, raw, strict=True):
        if kind is bool:
            if text not in ("0", "1"):
                return None
            values[name] = text == "1"
        elif kind is int:
            if not _INT.match(text):
                return None
            values[name] = int(text)
        elif kind is str:
            if not _STR.match(text):
                return None
            values[name] = text
        else:  # pragma: no cover - a programming error in a subclass
            raise TypeError(f"unsupported callback field type {kind!r}")
    return cls(**values)
