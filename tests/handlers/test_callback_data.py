"""The callback-data codec round-trips and refuses what a forged client might send."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.callback_data import CallbackData, decode


@dataclass(frozen=True)
class Press(CallbackData, prefix="tp"):
    checkin: int
    district: int
    code: int


@dataclass(frozen=True)
class Toggle(CallbackData, prefix="tt"):
    name: str
    on: bool


ids = st.integers(min_value=-(2**53), max_value=2**53)


@given(ids, ids, st.integers(0, 9))
def test_round_trip(checkin: int, district: int, code: int) -> None:
    press = Press(checkin, district, code)
    data = press.encode()
    assert len(data.encode()) <= 64
    assert decode(data) == press
    assert Press.parse(data) == press
    assert Toggle.parse(data) is None


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "tp",
        "tp:1:2",
        "tp:1:2:3:4",
        "tp:1:x:3",
        "tp:1:2:3.5",
        "zz:1:2:3",
        "tt:naam:2",
        "tt:na me:1",
        "tp:" + "9" * 70,
    ],
)
def test_forged_or_malformed_data_decodes_to_none(forged: str | None) -> None:
    assert decode(forged) is None


def test_encode_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Press(-(10**18), -(10**18), -(10**18)).encode()
    with pytest.raises(ValueError, match="cannot go into"):
        Toggle("met:dubbelepunt", True).encode()


def test_prefix_must_be_unique() -> None:
    with pytest.raises(ValueError, match="used twice"):

        @dataclass(frozen=True)
        class Again(CallbackData, prefix="tp"):
            x: int
