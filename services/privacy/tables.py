"""Where personal data lives: every table that refers to a person, and what erasure does there.

The one list a feature joins when it adds a table about people: name the columns that hold a
person's `people.id` (or Telegram id) and what erasure does with each — delete the row, or
detach it (the column becomes NULL, the row stays). /mijngegevens then copies those rows and
/vergeetmij erases them without further code. tests/services/privacy/test_coverage.py fails
for a table with a person reference that is neither here nor in NOT_PERSONAL, and for a
copied kind without a heading in the privacy catalogs (privacy.kind.<table>).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# delete: the row is about the person and goes. detach: the row is someone else's or the
# network's (an invitation the person made), only the reference to the person goes.
# anonymise: answers, handled by services/privacy/erasure.py per configuration.
Policy = Literal["delete", "detach", "anonymise"]


@dataclass(frozen=True)
class PersonalTable:
    """A table holding personal data: which columns point at the person, and the policy."""

    table: str
    # Columns holding people.id, with what erasure does to rows where it is the person.
    person_columns: tuple[tuple[str, Policy], ...] = ()
    # Columns holding the person's numeric Telegram id, cleared on erasure.
    telegram_columns: tuple[str, ...] = ()
    # Columns left out of the copy: what they hold is about other people (an invitee's note).
    not_copied: tuple[str, ...] = ()
    # What erasure does with rows whose telegram_columns hold the person: clear the column
    # (detach), or delete the row (a row keyed by the Telegram id).
    telegram_policy: Literal["delete", "detach"] = "detach"


# The person's own row comes first; erasure deletes it last (see erasure.py).
PERSONAL_TABLES: tuple[PersonalTable, ...] = (
    PersonalTable("people", telegram_columns=("telegram_user_id",)),
    PersonalTable("memberships", (("person_id", "delete"),)),
    PersonalTable(
        "invitations",
        (("used_by_id", "delete"), ("created_by_id", "detach")),
        not_copied=("token_hash", "note"),
    ),
    PersonalTable("events", (("created_by_id", "detach"),)),
    PersonalTable("checkins", (("started_by_id", "detach"), ("closed_by_id", "detach"))),
    PersonalTable("member_deliveries", (("person_id", "delete"),)),
    PersonalTable("answers", (("person_id", "anonymise"),)),
    PersonalTable("answer_changes", (("person_id", "anonymise"),)),
    PersonalTable("follow_ups", (("person_id", "anonymise"),)),
    PersonalTable("escalations", (("person_id", "delete"),)),
    PersonalTable("chats", telegram_columns=("added_by_telegram_id",)),
    PersonalTable("left_people", (("person_id", "delete"),)),
    PersonalTable("agreement_requests", (("person_id", "delete"),)),
    # Issue 12: the private reminders a person got, and when they said they were away.
    PersonalTable("reminders", (("person_id", "delete"),)),
    PersonalTable("absences", (("person_id", "delete"),)),
    # Issue 12's feedback: who wrote it (a chief: kept, unnamed), who got it privately.
    PersonalTable("feedback", (("written_by_id", "detach"),)),
    PersonalTable("feedback_sends", (("person_id", "delete"),)),
    PersonalTable("feedback_reminders", (("person_id", "detach"),)),
    # Issue 15's meetings: who planned one (kept, unnamed), their invitations, answers,
    # dietary needs (health or religion: deleted), reminders, actions they own or recorded.
    PersonalTable("meetings", (("planned_by_id", "detach"),)),
    PersonalTable("meeting_invites", (("person_id", "delete"),)),
    PersonalTable("rsvps", (("person_id", "delete"),)),
    PersonalTable("dietary_needs", (("person_id", "delete"),)),
    PersonalTable("meeting_reminders", (("person_id", "delete"),)),
    PersonalTable(
        "meeting_actions",
        (("owner_person_id", "detach"), ("created_by_id", "detach"), ("closed_by_id", "detach")),
    ),
    # Issue 12's recurring pulses: a chief's standing instruction, gone with the chief.
    PersonalTable("pulse_schedules", (("created_by_id", "delete"),)),
    # Issue 13: an unfinished wizard or awaited text, shared by webhook workers (pickled:
    # the copy says that and when, not the bytes).
    PersonalTable(
        "user_states",
        telegram_columns=("telegram_user_id",),
        not_copied=("data",),
        telegram_policy="delete",
    ),
    # The audit log names people in actor_telegram_id and inside details; erasure.py
    # scrubs both, the copy takes every entry that mentions the person.
    PersonalTable("audit_log", telegram_columns=("actor_telegram_id",)),
)

# Not listed: the inbox (issue 13), which holds updates as Telegram sent them only until they
# are handled; erasure deletes the person's (erasure.py), the copy leaves them out.

# Tables that refer to people but hold nothing about them, each with the reason.
NOT_PERSONAL: dict[str, str] = {}
