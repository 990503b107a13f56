"""What /privacy says, and the readable copy of /mijngegevens, rendered from the settings."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.i18n import Safe, t, tn
from handlers.render import local_time
from services.meetings.dietary import KEEP_AFTER_START
from services.privacy.copy import PersonalCopy
from services.privacy.policy import KINDS, PrivacyPolicy


def retention_lines(policy: PrivacyPolicy, language: str | None) -> str:
    """One line per kind of data with how long it is kept, from the configuration in force."""
    lines = [
        tn(f"privacy.retention.{kind}", getattr(policy.retention, f"{kind}_days"), language)
        for kind in KINDS
    ]
    # Dietary needs go with their meeting, not after a number of days (services/meetings).
    hours = int(KEEP_AFTER_START.total_seconds() // 3600)
    return "\n".join([*lines, tn("privacy.retention.dietary", hours, language)])


def privacy_text(policy: PrivacyPolicy, language: str | None) -> str:
    """The whole /privacy statement: what, why, who sees it, how long, rights, contact."""
    contact = (
        t("privacy.contact", language, contact=policy.contact)
        if policy.contact
        else t("privacy.contact.coordinator", language)
    )
    answers = t(f"privacy.erasure.answers.{policy.erased_answers}", language)
    return t(
        "privacy.statement",
        language,
        retention=Safe(retention_lines(policy, language)),
        erased_answers=Safe(answers),
        contact=Safe(contact),
    )


def copy_json(copy: PersonalCopy) -> bytes:
    """The copy as a JSON document."""
    return json.dumps(copy.as_json(), ensure_ascii=False, indent=2, default=str).encode()


def _value(value: object, tz: ZoneInfo, language: str | None) -> str:
    if isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value), tz, language)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def copy_text(copy: PersonalCopy, tz: ZoneInfo, language: str | None) -> bytes:
    """The copy as plain text a person can read: a heading per kind, one block per row."""
    lines = [
        t("privacy.copy.title", language, when=local_time(copy.made_at, tz, language)),
        "",
    ]
    for kind, rows in copy.sections:
        lines.append(f"== {t(f'privacy.kind.{kind}', language)} ({len(rows)}) ==")
        for row in rows:
            lines += [f"  {key}: {_value(value, tz, language)}" for key, value in row.items()]
            lines.append("")
        if not rows:
            lines += [f"  {t('privacy.copy.none', language)}", ""]
    # Plain text, not HTML: the file is read as it is, so nothing is escaped.
    return "\n".join(lines).encode()
