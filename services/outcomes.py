"""Outcomes shared by several services; handlers `match` on them and render a text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from storage.models import Role


@dataclass(frozen=True)
class Denied:
    """Not allowed — also what a non-coordinator gets for a district that does not exist."""


DENIED = Denied()


@dataclass(frozen=True)
class UnknownDistrict:
    """No district by this name (only coordinators ever get this, with the closest names)."""

    name: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class DistrictArchived:
    """The district is archived, so this cannot be done for it."""

    name: str


@dataclass(frozen=True)
class InvalidName:
    """A district name that is empty or too long."""

    reason: Literal["empty", "too_long"]
    max_length: int


@dataclass(frozen=True)
class DistrictExists:
    """Another district already has this name (regardless of case and spaces)."""

    name: str


@dataclass(frozen=True)
class PersonInfo:
    """Enough about a person to show and to pick them again."""

    telegram_user_id: int
    display_name: str


@dataclass(frozen=True)
class PersonNotFound:
    """Nobody matching the reference holds the role or membership asked about."""

    ref: str


@dataclass(frozen=True)
class AmbiguousPerson:
    """Several people match a name; ask again with one of their ids."""

    candidates: tuple[PersonInfo, ...]


@dataclass(frozen=True)
class MembershipInfo:
    """One role in one district."""

    district: str
    role: Role
