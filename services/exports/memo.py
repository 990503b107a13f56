"""A dict that fills itself: for values that repeat down a column of a million rows."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(dict[K, V]):
    """Make a missing key's value once, with `make`, and keep it.

    `map(memo.__getitem__, column)` then costs no Python call for a value seen before:
    the lookup is the dict's own C code, and only a miss reaches `__missing__`.
    """

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> V:
        value = self[key] = self._make(key)
        return value
