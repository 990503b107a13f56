"""What Telegram answers becomes an outcome the services can decide on."""

from __future__ import annotations

from datetime import timedelta

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut

from handlers.notifier import sent_from_error


def test_a_429_carries_how_long_to_wait() -> None:
    sent = sent_from_error(-100, RetryAfter(timedelta(seconds=17)))
    assert (sent.error, sent.retry_after) == ("retry", 17.0)


def test_other_errors_are_classified_without_a_wait() -> None:
    assert sent_from_error(5, Forbidden("blocked")).error == "blocked"
    assert sent_from_error(-5, Forbidden("kicked")).error == "kicked"
    assert sent_from_error(-5, ChatMigrated(-1007)).migrate_to_chat_id == -1007
    assert sent_from_error(-5, BadRequest("bad")).error == "failed"
    # Sent, but no answer in time: Telegram may have posted it.
    timed_out = sent_from_error(-5, TimedOut())
    assert (timed_out.error, timed_out.retry_after) == ("uncertain", None)
