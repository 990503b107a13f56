"""SQLAlchemy models for the whole domain: districts, people, check-ins, answers, audit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

# Stable constraint names, so Alembic's batch mode on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - read by SQLAlchemy, never mutated
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as the value string with a CHECK constraint: portable and readable in exports.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Role(enum.StrEnum):
    """What a person is in a district."""

    KEY_FIGURE = "bondgenoot"
    CHIEF = "chef"


class ChatStatus(enum.StrEnum):
    """Where the bot stands in a Telegram group."""

    PENDING = "pending"  # added, not (yet) linked by a coordinator
    LINKED = "linked"
    UNREACHABLE = "unreachable"  # removed, kicked, or sends fail with 403
    LEFT = "left"  # the bot left on its own (never linked)
    MIGRATED = "migrated"  # replaced by a supergroup with a new chat id


class CheckInStatus(enum.StrEnum):
    """Life of a check-in."""

    OPEN = "open"
    CLOSED = "closed"


class DeliveryStatus(enum.StrEnum):
    """Life of one message of a check-in to one chat."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Direction(enum.StrEnum):
    """Where the mood is heading, according to a key figure."""

    RISING = "rising"
    SAME = "same"
    EASING = "easing"


class District(Base):
    """A neighbourhood with its own group of key figures."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # Lower-cased, trimmed name: uniqueness regardless of case and surrounding spaces.
    name_key: Mapped[str] = mapped_column(String(80), unique=True)
    ask_privately: Mapped[bool] = mapped_column(Boolean, default=False)
    show_tally: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]
    # One nudge without names in the group when reminders go out (issue 12).
    group_nudge: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The language of what the bot posts in its group (issue 16); NULL: the configured one.
    language: Mapped[str | None] = mapped_column(String(10))

    chat: Mapped[Chat | None] = relationship(back_populates="district", uselist=False)


class Chat(Base):
    """A Telegram group the bot is (or was) in."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(255), default="")
    # One group per district: unique, and NULL while the group is not linked.
    district_id: Mapped[int | None] = mapped_column(
        ForeignKey("districts.id", ondelete="SET NULL"), unique=True
    )
    status: Mapped[ChatStatus] = mapped_column(_enum(ChatStatus, "chat_status"))
    added_by_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[datetime]
    linked_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime]
    migrated_to_chat_id: Mapped[int | None] = mapped_column(BigInteger)

    district: Mapped[District | None] = relationship(back_populates="chat")


class Person(Base):
    """Someone who talks to the bot, identified by the numeric Telegram user id."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    # Their own language (issue 16): from Telegram at first contact, changed with /taal;
    # NULL: the configured language.
    language: Mapped[str | None] = mapped_column(String(10))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    # False once a private send got 403 (the person blocked the bot).
    privately_reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Membership(Base):
    """A person's role in one district."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("person_id", "district_id"),
        # A key figure belongs to one district only; chiefs may hold several.
        Index(
            "uq_memberships_one_district_per_key_figure",
            "person_id",
            unique=True,
            sqlite_where=text("role = 'bondgenoot'"),
            postgresql_where=text("role = 'bondgenoot'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    joined_at: Mapped[datetime]
    agreement_version: Mapped[str | None] = mapped_column(String(40))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL")
    )

    person: Mapped[Person] = relationship()
    district: Mapped[District] = relationship()


class Invitation(Base):
    """A personal, single-use, expiring invitation link; only the token's hash is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    note: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    district: Mapped[District] = relationship()


class Event(Base):
    """A current event that a check-in asks about."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class CheckIn(Base):
    """One round of 'how is the mood in the district?' after an event."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_status_closes_at", "status", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    status: Mapped[CheckInStatus] = mapped_column(_enum(CheckInStatus, "checkin_status"))
    show_tally: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    summary_sent_at: Mapped[datetime | None]
    # Urgent: its private copies go out even inside quiet hours (issue 12).
    urgent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "incident" (after an event, /peiling) or "pulse" (an occurrence of a recurring pulse).
    kind: Mapped[str] = mapped_column(String(10), default="incident", server_default="incident")
    pulse_schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("pulse_schedules.id", ondelete="SET NULL")
    )
    # A pulse's rhythm as it was when it went out (0: monthly, N: every N weeks), so its
    # label survives the schedule being deleted.
    pulse_weeks: Mapped[int | None] = mapped_column(SmallInteger)
    # Practice ("oefening", issue 17): sent and answered like any check-in, but never counted
    # (trends, baselines, overviews, comparisons, exports) and raising no alerts.
    practice: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    event: Mapped[Event] = relationship()


class Delivery(Base):
    """The check-in's message to one district group: exactly one per check-in and district."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("checkin_id", "district_id"),
        Index("ix_deliveries_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # What the group message currently shows, so the tally is edited only on change.
    shown_text_hash: Mapped[str | None] = mapped_column(String(64))
    last_edited_at: Mapped[datetime | None]
    # Set (and committed) just before a send: a crash leaves it set, so a restart knows
    # which sends were in flight and resumes exactly those.
    claimed_at: Mapped[datetime | None]
    # Not before this time: the backoff after a retryable error.
    retry_at: Mapped[datetime | None]
    # The district's number of key figures when the check-in closed: the frozen N of n-of-N,
    # so later comparisons do not shift when people join or leave.
    key_figures_at_close: Mapped[int | None] = mapped_column(Integer)
    # A send timed out, or a crashed sender's claim was taken over: Telegram may have posted
    # a copy the bot never heard of. A press on it is accepted and the copy adopted.
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The group nudge of the reminders, claimed before it is sent: at most one (issue 12).
    nudged_at: Mapped[datetime | None]
    # Key figures away (/afwezig) when it closed, frozen like key_figures_at_close.
    away_at_close: Mapped[int | None] = mapped_column(Integer)


class MemberDelivery(Base):
    """The check-in's question sent privately to one member (districts that want it)."""

    __tablename__ = "member_deliveries"
    __table_args__ = (UniqueConstraint("checkin_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]  # in flight, as on Delivery
    retry_at: Mapped[datetime | None]
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Not before this time: held by quiet hours (issue 12). Unlike retry_at no broadcast
    # waits for it; the periodic sweep sends it when the quiet hours end.
    held_until: Mapped[datetime | None]


class Answer(Base):
    """A key figure's current answer to a check-in: one per person per check-in."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("checkin_id", "person_id"),
        CheckConstraint("code BETWEEN 0 AND 9", name="code_range"),
        Index("ix_answers_answered_at", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    code: Mapped[int] = mapped_column(SmallInteger)
    first_answered_at: Mapped[datetime]
    answered_at: Mapped[datetime]
    changes: Mapped[int] = mapped_column(Integer, default=0)


class AnswerChange(Base):
    """Every press that set or changed an answer: the history behind Answer."""

    __tablename__ = "answer_changes"
    __table_args__ = (Index("ix_answer_changes_checkin_person", "checkin_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    code: Mapped[int] = mapped_column(SmallInteger)
    at: Mapped[datetime]


class FollowUp(Base):
    """The optional depth after an answer: direction, themes, free text, contact request."""

    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("checkin_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    direction: Mapped[Direction | None] = mapped_column(_enum(Direction, "direction"))
    themes: Mapped[list[str]] = mapped_column(default=list)
    free_text: Mapped[str | None] = mapped_column(Text)
    contact_requested: Mapped[bool | None] = mapped_column(Boolean)
    updated_at: Mapped[datetime]


class Escalation(Base):
    """A chief alerted about one person's answer in one check-in: once per kind."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("checkin_id", "person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "acute" or "contact"
    at: Mapped[datetime]


class AuditEntry(Base):
    """Who did what, when: changes to who belongs where, exports, erasures."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(255), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


# --- sends with an unknown outcome (issue 13) ---


class DeliveryCopy(Base):
    """Another copy of a group's check-in message, found when someone pressed it.

    After a send whose outcome was unknown, Telegram may have posted the message although the
    bot never learned its id; the resend posts another. The copy is edited and closed along.
    """

    __tablename__ = "delivery_copies"
    __table_args__ = (UniqueConstraint("delivery_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(BigInteger)
    adopted_at: Mapped[datetime]


# --- the inbox: updates kept until handled (issue 13) ---


class InboxUpdate(Base):
    """An update Telegram handed over, kept until it is handled: replayed after a crash.

    Telegram forgets an update once the bot asks for the next ones (polling) or answers the
    webhook; the bot does both before its handlers have committed. Written first, an update
    cannot be lost in between.
    """

    __tablename__ = "inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)  # the update as Telegram sent it (JSON)
    received_at: Mapped[datetime]


class UserState(Base):
    """What a person's unfinished conversation holds (a wizard's draft, awaited text).

    Only webhook workers on PostgreSQL keep it here, so that each press may land on another
    worker; elsewhere it stays in memory. The bot's own pickled dict, gone after a day.
    """

    __tablename__ = "user_states"

    telegram_user_id: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(index=True)


# --- reminders and away (issue 12) ---


class Reminder(Base):
    """One private reminder of a check-in to one key figure: claimed (inserted) before it goes.

    Unique per round, so two senders, a repeated job or a restart cannot send a round twice;
    a crash between the claim and the send loses that reminder rather than doubling it.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("checkin_id", "person_id", "round"),
        Index("ix_reminders_checkin_id", "checkin_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # The private message carrying the answer buttons: a press on it is checked against this.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(255))


class Absence(Base):
    """A key figure who said they are away: no reminders, no private copies, not counted."""

    __tablename__ = "absences"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    since: Mapped[datetime]
    # Away ends by itself at this moment (start of the given day, local time); None: until /terug.
    until: Mapped[datetime | None]


# --- privacy (issue 14) ---


class LeftPerson(Base):
    """Someone the retention job found belonging to no district, and since when.

    Leaving happens in several places (/stoppen, removal, a role taken); the daily job
    notices the result instead, so none of them has to remember it. Rejoining removes the
    mark; past retention.left_people_days the person is erased.
    """

    __tablename__ = "left_people"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    noticed_at: Mapped[datetime]


class AgreementRequest(Base):
    """A member asked to accept a new version of the agreement: once per person and version."""

    __tablename__ = "agreement_requests"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    asked_at: Mapped[datetime]


# --- feedback and baseline alerts (issue 12) ---


class BaselineAlert(Base):
    """A district's chiefs told it runs clearly above its usual level: once per check-in."""

    __tablename__ = "baseline_alerts"
    __table_args__ = (UniqueConstraint("checkin_id", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    # "above" (running median over the baseline) or "rising" (many high answers, rising).
    reason: Mapped[str] = mapped_column(String(20))
    median: Mapped[float | None] = mapped_column(Float)
    baseline: Mapped[float | None] = mapped_column(Float)
    responded: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]


class Feedback(Base):
    """What a chief tells the groups after a check-in: 'wat we hoorden, wat we doen'; once."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class FeedbackSend(Base):
    """Feedback to one group (kind 'group', target a district) or one key figure ('private').

    Claimed, sent, settled as check-in deliveries are: the unique key makes each target get
    it once, and a claim left by a crash is taken over after a restart.
    """

    __tablename__ = "feedback_sends"
    __table_args__ = (
        UniqueConstraint("feedback_id", "kind", "target_id"),
        Index("ix_feedback_sends_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime | None]
    retry_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class FeedbackReminder(Base):
    """The one gentle reminder to a check-in's chief that no feedback has gone out yet."""

    __tablename__ = "feedback_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), unique=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    at: Mapped[datetime]


# --- meetings (issue 15) ---


class MeetingStatus(enum.StrEnum):
    """Life of a meeting."""

    PLANNED = "planned"
    CANCELLED = "cancelled"


class RsvpAnswer(enum.StrEnum):
    """What someone answered to a meeting invitation."""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class Meeting(Base):
    """One of the yearly meetings with a meal, for one district or several together."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_status_rsvp_deadline", "status", "rsvp_deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    meal: Mapped[str] = mapped_column(String(300))
    rsvp_deadline: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus, "meeting_status"))
    planned_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    # Set (and committed) before the headcount goes to the organiser at the RSVP deadline:
    # a restart finds it set and does not send it again.
    headcount_sent_at: Mapped[datetime | None]


class MeetingDelivery(Base):
    """The invitation in one district group: exactly one per meeting and district."""

    __tablename__ = "meeting_deliveries"
    __table_args__ = (
        UniqueConstraint("meeting_id", "district_id"),
        Index("ix_meeting_deliveries_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]  # in flight, as on Delivery
    retry_at: Mapped[datetime | None]
    shown_text_hash: Mapped[str | None] = mapped_column(String(64))
    last_edited_at: Mapped[datetime | None]


class MeetingInvite(Base):
    """The invitation sent privately to one member of an invited district."""

    __tablename__ = "meeting_invites"
    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id"),
        Index("ix_meeting_invites_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    retry_at: Mapped[datetime | None]


class Rsvp(Base):
    """A person's current answer to a meeting: one per person per meeting."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    answer: Mapped[RsvpAnswer] = mapped_column(_enum(RsvpAnswer, "rsvp_answer"))
    first_answered_at: Mapped[datetime]
    answered_at: Mapped[datetime]
    changes: Mapped[int] = mapped_column(Integer, default=0)


class DietaryNeed(Base):
    """One person's dietary needs for one meeting's meal, stored only with their consent.

    Kept apart from the RSVP because it can reveal religion or health: it is deleted after
    the meeting unless the person asked to remember it, and only counts ever leave it.
    """

    __tablename__ = "dietary_needs"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    needs: Mapped[list[str]] = mapped_column(default=list)  # stable codes, e.g. "halal"
    free_text: Mapped[str | None] = mapped_column(String(200))
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    consented_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MeetingReminder(Base):
    """A reminder about a meeting sent (or being sent) to one person: once per kind.

    Inserted and committed before the send, so a restart never reminds anyone twice; a
    crash between the commit and the send loses that one reminder instead.
    """

    __tablename__ = "meeting_reminders"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "rsvp" or "day_before"
    at: Mapped[datetime]


class MeetingAction(Base):
    """An action agreed at a meeting, with an owner (a person or a role) and a due date."""

    __tablename__ = "meeting_actions"
    __table_args__ = (Index("ix_meeting_actions_closed_at_due_at", "closed_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    description: Mapped[str] = mapped_column(String(300))
    # A person of the network, or else a role ("chef", "gemeente", "politie").
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    owner_role: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    # Set (and committed) before the owner's reminder is sent: never twice.
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    result: Mapped[str | None] = mapped_column(String(300))


class TalkingPoints(Base):
    """The organiser's additions to a meeting's talking points, and when they went out."""

    __tablename__ = "meeting_talking_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    notes: Mapped[list[str]] = mapped_column(default=list)
    # Generated lines the organiser leaves out, by key: "checkin:12", "action:4".
    left_out: Mapped[list[str]] = mapped_column(default=list, server_default=text("'[]'"))
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


# --- recurring pulse check-ins (issue 12, part 4) ---


class PulseSchedule(Base):
    """A recurring pulse: 'how is the mood this month?', asked on a rhythm, in local time.

    Monthly on the n-th (1..4, or -1: last) weekday, or every N weeks on a weekday from an
    anchor date. next_due_at (UTC) is the claim: an occurrence belongs to whoever moves it
    on with a conditional UPDATE, so two looks never start it twice.
    """

    __tablename__ = "pulse_schedules"
    __table_args__ = (Index("ix_pulse_schedules_next_due_at", "next_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    question: Mapped[str] = mapped_column(Text)
    every_weeks: Mapped[int] = mapped_column(SmallInteger)  # 0: monthly
    week_of_month: Mapped[int | None] = mapped_column(SmallInteger)  # monthly: 1..4 or -1
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 Monday .. 6 Sunday
    hour: Mapped[int] = mapped_column(SmallInteger)
    minute: Mapped[int] = mapped_column(SmallInteger)
    anchor_date: Mapped[str] = mapped_column(String(10))  # ISO date of the first occurrence
    duration_minutes: Mapped[int] = mapped_column(Integer)
    all_districts: Mapped[bool] = mapped_column(Boolean, default=False)
    next_due_at: Mapped[datetime]
    paused_at: Mapped[datetime | None]
    last_occurrence_at: Mapped[datetime | None]


class PulseDistrict(Base):
    """A district a pulse asks (unless it asks all the creator's districts)."""

    __tablename__ = "pulse_districts"
    __table_args__ = (UniqueConstraint("schedule_id", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("pulse_schedules.id", ondelete="CASCADE"))
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
