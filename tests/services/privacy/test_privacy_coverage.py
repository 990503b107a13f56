"""Every table that refers to a person is covered by the copy and by erasure."""

from __future__ import annotations

from sqlalchemy import Table

from handlers.i18n import keys
from services.privacy.tables import NOT_PERSONAL, PERSONAL_TABLES
from storage.models import Base

# Columns holding a Telegram id of a chat, not of a person.
_CHAT_COLUMNS = {"telegram_chat_id", "migrated_to_chat_id"}


def _person_references(table: Table) -> set[str]:
    """Columns that point at a person: a key to people.id, or a Telegram user id."""
    found = {
        c.name
        for c in table.columns
        if any(fk.column.table.name == "people" for fk in c.foreign_keys)
    }
    found |= {
        c.name for c in table.columns if "telegram" in c.name and c.name not in _CHAT_COLUMNS
    }
    return found


def test_every_table_with_a_person_reference_is_covered() -> None:
    registered = {t.table: t for t in PERSONAL_TABLES}
    for table in Base.metadata.sorted_tables:
        references = _person_references(table)
        if not references or table.name in NOT_PERSONAL:
            continue
        assert table.name in registered, (
            f"table {table.name!r} refers to people ({', '.join(sorted(references))}): add it "
            "to services/privacy/tables.py PERSONAL_TABLES, or to NOT_PERSONAL with a reason"
        )
        entry = registered[table.name]
        covered = {c for c, _ in entry.person_columns} | set(entry.telegram_columns)
        assert references <= covered, f"{table.name}: {references - covered} not covered"


def test_registered_tables_and_columns_exist() -> None:
    for entry in PERSONAL_TABLES:
        table = Base.metadata.tables[entry.table]
        for column in [c for c, _ in entry.person_columns] + list(entry.telegram_columns):
            assert column in table.c, f"{entry.table}.{column}"


def test_every_kind_has_a_heading_in_each_language() -> None:
    for language in ("nl", "en"):
        known = keys(language)
        for entry in PERSONAL_TABLES:
            assert f"privacy.kind.{entry.table}" in known, (language, entry.table)
