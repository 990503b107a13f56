"""The one settings object: a TOML file plus BONDGENOTEN_* environment variables."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Loading lives in bot.config_load; the names other modules know are re-exported from here.
from bot.config_load import CONFIG_ENV as CONFIG_ENV
from bot.config_load import DEFAULT_CONFIG as DEFAULT_CONFIG
from bot.config_load import ENV_PREFIX, read_config
from bot.config_load import ConfigError as ConfigError

_TOKEN_SHAPE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
_WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_HH_MM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# BotFather's documentation example has the right shape, so it is refused by name.
_DOC_EXAMPLE_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
_PLACEHOLDER_WORDS = set("token bottoken secret key todo fixme none null test".split())
_PLACEHOLDER_PARTS = ("changeme", "replaceme", "placeholder", "yourtoken", "yourkey", "yoursecret")
_DATABASE_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def available_language(value: Any) -> str:
    """A language code with a catalog in handlers/locales/, or a one-line error naming them."""
    from handlers.i18n import LANGUAGES

    code = value.strip().lower().replace("-", "_") if isinstance(value, str) else value
    if code not in LANGUAGES:
        raise ValueError(f"{value!r} is not available; choose {', '.join(LANGUAGES)}")
    return str(code)


def _looks_like_placeholder(value: str) -> bool:
    """Tell whether a secret was left at an example value instead of the real one."""
    # <token>, an unexpanded ${TOKEN} or a {{ template }} are placeholders too.
    if value == _DOC_EXAMPLE_TOKEN or re.search(r"<.*>|\$\{|\{\{", value):
        return True
    plain = re.sub(r"[^a-z0-9]", "", value.lower())
    tail = re.sub(r"[^a-z0-9]", "", value.rsplit(":", 1)[-1].lower())
    return (
        plain in _PLACEHOLDER_WORDS
        or any(part in plain for part in _PLACEHOLDER_PARTS)
        or len(set(tail)) <= 1  # "xxx", "123456789:xxxxxxxx…", "0000"
    )


def _blank_to_none(value: Any) -> Any:
    # An empty BONDGENOTEN_TOKEN= (say, from an unset compose variable) means "not set".
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, str):
        return value.strip() or None
    return value


def _no_bool(value: Any) -> Any:
    # pydantic reads true as 1 in lax mode; a person writing `port = true` made a mistake.
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number (got {str(value).lower()})")
    return value


def _hh_mm(value: Any) -> Any:
    if isinstance(value, time):  # a TOML local time such as 22:00:00
        return value
    match = _HH_MM.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"must be a time of day as HH:MM, e.g. '22:00' (got {value!r})")
    return time(int(match[1]), int(match[2]))


Whole = Annotated[int, BeforeValidator(_no_bool)]
Secret = Annotated[SecretStr | None, BeforeValidator(_blank_to_none)]
ClockTime = Annotated[time, BeforeValidator(_hh_mm)]


def _check_secret(value: SecretStr | None, min_length: int = 1) -> SecretStr | None:
    if value is not None:
        secret = value.get_secret_value()
        if _looks_like_placeholder(secret):
            raise ValueError("looks like a placeholder, put a long random secret here")
        if len(secret) < min_length:
            raise ValueError(f"must be at least {min_length} characters (got {len(secret)})")
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookSettings(_Section):
    listen: str = "0.0.0.0"
    port: Whole = Field(default=8443, ge=1, le=65535)
    url: str | None = None
    secret_token: Secret = None
    path: str = "telegram"

    @field_validator("url", mode="before")
    @classmethod
    def _public_https(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        if isinstance(value, str):
            parts = urlsplit(value)
            # Telegram only delivers to https; plain http is allowed on this machine alone, for
            # a local Bot API server such as the sandbox.
            local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
            if not (parts.scheme == "https" or local) or not parts.hostname:
                raise ValueError(
                    "must be the public https:// address of the bot's web server, "
                    f"e.g. 'https://bot.example.org' (got {value!r})"
                )
        return value

    @field_validator("secret_token")
    @classmethod
    def _telegram_secret(cls, value: SecretStr | None) -> SecretStr | None:
        _check_secret(value)
        if value is not None and not _WEBHOOK_SECRET_SHAPE.match(value.get_secret_value()):
            raise ValueError("must be 1–256 characters of A-Z, a-z, 0-9, '_' and '-'")
        return value

    @field_validator("path")
    @classmethod
    def _url_path(cls, value: str) -> str:
        if re.search(r"\s", value):
            raise ValueError(f"must not contain spaces (got {value!r})")
        return value.strip("/")


class InvitationSettings(_Section):
    expiry_days: Whole = Field(default=7, ge=1, le=90)


class GroupSettings(_Section):
    link_grace_minutes: Whole = Field(default=10, ge=1)


class PrivacySettings(_Section):
    pseudonym_key: Secret = None
    # Whom a person asks about their data (shown by /privacy), e.g. an e-mail address.
    contact: str | None = None
    # What /vergeetmij does with answers: keep them as anonymous counts, or delete them.
    erased_answers: Literal["anonymise", "delete"] = "anonymise"
    # A person gets a copy of their data (/mijngegevens) at most once per this many minutes.
    copy_interval_minutes: Whole = Field(default=60, ge=1)

    @field_validator("contact", mode="before")
    @classmethod
    def _contact(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("pseudonym_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        return _check_secret(value, min_length=16)


class RetentionSettings(_Section):
    # Days each kind of data is kept; the README says why these defaults.
    free_texts_days: Whole = Field(default=90, ge=1, le=9999)
    answers_days: Whole = Field(default=730, ge=1, le=9999)
    invitations_days: Whole = Field(default=30, ge=1, le=9999)
    audit_days: Whole = Field(default=1825, ge=1, le=9999)
    left_people_days: Whole = Field(default=90, ge=1, le=9999)


class ExportSettings(_Section):
    min_respondents: Whole = Field(default=5, ge=1)


class CheckinSettings(_Section):
    default_duration_hours: Whole = Field(default=24, ge=1)
    quiet_hours_start: ClockTime = time(22, 0)
    quiet_hours_end: ClockTime = time(8, 0)
    tally_edit_interval_seconds: Whole = Field(default=5, ge=1)
    reminders_per_person: Whole = Field(default=1, ge=0, le=5)
    reminder_at_fractions: list[Annotated[float, Field(gt=0, lt=1)]] = Field(
        default_factory=lambda: [0.5], max_length=5
    )
    reminder_hours_before_deadline: list[Annotated[float, Field(gt=0)]] = Field(
        default_factory=list, max_length=5
    )


class BaselineSettings(_Section):
    checkins: Whole = Field(default=5, ge=1, le=50)
    min_checkins: Whole = Field(default=3, ge=1, le=50)
    min_answers: Whole = Field(default=3, ge=1)
    steps_above: float = Field(default=1.0, gt=0, le=5)
    rising_level: Whole = Field(default=4, ge=0, le=9)

    @model_validator(mode="after")
    def _enough_to_take(self) -> Self:
        if self.min_checkins > self.checkins:
            raise ValueError(
                f"min_checkins ({self.min_checkins}) cannot exceed checkins ({self.checkins})"
            )
        return self


class FeedbackSettings(_Section):
    reminder_after_days: Whole = Field(default=3, ge=1, le=60)


class MeetingSettings(_Section):
    cadence_days: Whole = Field(default=90, ge=1)


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        # Accept "info"; leave an unknown level as written, so the error quotes it.
        if isinstance(value, str) and value.strip().upper() in _LEVELS:
            return value.strip().upper()
        return value


class Settings(BaseSettings):
    """Everything the bot reads from its config file and environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        env_ignore_empty=True,
        case_sensitive=False,
        extra="forbid",
    )

    token: Secret = None
    database_url: str = "sqlite+aiosqlite:///bondgenoten.db"
    timezone: str = "Europe/Amsterdam"
    # One of the catalog folders in handlers/locales/ (nl, en, tr, ar, …).
    language: str = "nl"
    coordinators: Annotated[list[Annotated[Whole, Field(gt=0)]], NoDecode] = Field(
        default_factory=list
    )
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookSettings = WebhookSettings()
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    telegram_flood_limits: bool = True
    invitations: InvitationSettings = InvitationSettings()
    groups: GroupSettings = GroupSettings()
    privacy: PrivacySettings = PrivacySettings()
    retention: RetentionSettings = RetentionSettings()
    export: ExportSettings = ExportSettings()
    checkins: CheckinSettings = CheckinSettings()
    meetings: MeetingSettings = MeetingSettings()
    baseline: BaselineSettings = BaselineSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    logging: LoggingSettings = LoggingSettings()

    _config_file: str | None = PrivateAttr(default=None)
    _origins: dict[str, str] = PrivateAttr(default_factory=dict)
    _file_keys: frozenset[str] = PrivateAttr(default_factory=frozenset)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Settings(...) takes only its arguments. load_settings() reads the file and the
        # environment, so that every problem can say where its value came from, and so that
        # a test building Settings(...) cannot pick up a stray BONDGENOTEN_* variable.
        return (init_settings,)

    @field_validator("token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            token = value.get_secret_value()
            if _looks_like_placeholder(token):
                raise ValueError("looks like a placeholder, put the token from BotFather here")
            if not _TOKEN_SHAPE.match(token):
                raise ValueError(
                    "does not look like a token from BotFather "
                    "(digits, a colon, then 30 or more letters, digits, '-' or '_')"
                )
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _available_language(cls, value: Any) -> Any:
        return available_language(value)

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        # The URL may hold a password, so no message repeats it.
        scheme, sep, rest = value.strip().partition("://")
        example = "sqlite+aiosqlite:///bondgenoten.db or postgresql+asyncpg://user:pw@host/db"
        driver = _DATABASE_DRIVERS.get(scheme.lower())
        if not sep:
            raise ValueError(f"must be a database URL such as {example}")
        if driver is None:
            raise ValueError(f"unsupported database {scheme!r}: use {example}")
        if driver.startswith("sqlite") and rest and not rest.startswith("/"):
            raise ValueError("a SQLite URL needs three slashes: sqlite+aiosqlite:///path/to.db")
        try:
            make_url(f"{driver}://{rest}")
        except (ArgumentError, ValueError):
            raise ValueError(f"is not a valid database URL: use {example}") from None
        return f"{driver}://{rest}"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            close = difflib.get_close_matches(value, available_timezones(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown time zone {value!r}{hint}") from None
        return value

    @field_validator("coordinators", mode="before")
    @classmethod
    def _id_list(cls, value: Any) -> Any:
        # From the environment this is one string: a JSON list or comma-separated ids.
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text.startswith("["):
            return [part.strip() for part in text.split(",") if part.strip()]
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(
                f"must be a JSON list like [111, 222] or ids like 111,222 (got {text!r})"
            ) from None

    @field_validator("telegram_api_url", "telegram_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http(s) URL (got {value!r})")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> Self:
        needed = {
            "webhook.url": self.webhook.url,
            "webhook.secret_token": self.webhook.secret_token,
        }
        missing = [name for name, value in needed.items() if value is None]
        if self.mode == "webhook" and missing:
            raise PydanticCustomError(
                "webhook_incomplete",
                "mode is 'webhook' but {missing} {verb} not set",
                {"missing": " and ".join(missing), "verb": ("are", "is")[len(missing) == 1]},
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)

    def warnings(self) -> list[str]:
        """Return one line per setting that works but is probably not what the owner wants."""
        found = []
        # Even when the environment overrides it: the file still holds a token.
        if "token" in self._file_keys:
            found.append(
                f"{self._config_file}: the bot token is in the config file; whoever reads the "
                "file controls the bot: remove it and set BONDGENOTEN_TOKEN in the environment "
                "(for a service: an environment file only root can read)"
            )
        if not self.coordinators:
            found.append(
                "no coordinators: nobody can set up districts. Send /start to the bot in a "
                "private chat to see your numeric Telegram id, and put it in the config file "
                "as coordinators = [<id>] (or BONDGENOTEN_COORDINATORS)"
            )
        return found

    def describe(self) -> list[str]:
        """Return one human line per setting, secrets masked, with where each value came from."""
        lines = [f"config file: {self._config_file}"] if self._config_file else []
        for key, value in _leaves(self):
            origin = f"  [{self._origins.get(key, 'default')}]" if self._config_file else ""
            lines.append(f"{key}: {_shown_setting(key, value)}{origin}")
        return lines


def _leaves(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from _leaves(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


def _shown_setting(key: str, value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, SecretStr):
        secret = value.get_secret_value()
        if key == "token":  # the part before the colon is the bot's public user id
            return f"{secret.split(':', 1)[0]}…({len(secret)} chars)"
        return f"(hidden, {len(secret)} chars)"
    if key == "database_url":
        return make_url(value).render_as_string(hide_password=True)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)


def load_settings(
    config_path: Path | None = None, *, env: Mapping[str, str] | None = None
) -> Settings:
    """Read the config file and BONDGENOTEN_* variables; raise ConfigError listing each problem.

    The file is `config_path`, else $BONDGENOTEN_CONFIG, else ./config.toml (which may be
    absent). `env` replaces os.environ, for tests. The environment beats the file.
    """
    settings, config_file, origins, file_keys = read_config(Settings, config_path, env=env)
    settings._config_file = config_file
    settings._origins = origins
    settings._file_keys = file_keys
    return settings
