"""The one settings object: a TOML file plus BONDGENOTEN_* environment variables."""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

ENV_PREFIX = "BONDGENOTEN_"
CONFIG_ENV = "BONDGENOTEN_CONFIG"
DEFAULT_CONFIG = Path("config.toml")

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
            if parts.scheme != "https" or not parts.hostname:
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

    @field_validator("pseudonym_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        return _check_secret(value, min_length=16)


class ExportSettings(_Section):
    min_respondents: Whole = Field(default=5, ge=1)


class CheckinSettings(_Section):
    default_duration_hours: Whole = Field(default=24, ge=1)
    quiet_hours_start: ClockTime = time(22, 0)
    quiet_hours_end: ClockTime = time(8, 0)
    tally_edit_interval_seconds: Whole = Field(default=5, ge=1)


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
    language: Literal["nl", "en"] = "nl"
    coordinators: Annotated[list[Annotated[Whole, Field(gt=0)]], NoDecode] = Field(
        default_factory=list
    )
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookSettings = WebhookSettings()
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    invitations: InvitationSettings = InvitationSettings()
    groups: GroupSettings = GroupSettings()
    privacy: PrivacySettings = PrivacySettings()
    export: ExportSettings = ExportSettings()
    checkins: CheckinSettings = CheckinSettings()
    logging: LoggingSettings = LoggingSettings()

    _config_file: str | None = PrivateAttr(default=None)
    _origins: dict[str, str] = PrivateAttr(default_factory=dict)

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


class ConfigError(Exception):
    """The configuration cannot be used; each problem is one line naming origin and key."""

    def __init__(self, problems: list[str], source: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
        self.source = source


def load_settings(
    config_path: Path | None = None, *, env: Mapping[str, str] | None = None
) -> Settings:
    """Read the config file and BONDGENOTEN_* variables; raise ConfigError listing each problem.

    The file is `config_path`, else $BONDGENOTEN_CONFIG, else ./config.toml (which may be
    absent). `env` replaces os.environ, for tests. The environment beats the file.
    """
    environ = {
        name: value
        for name, value in (os.environ if env is None else env).items()
        if name.upper().startswith(ENV_PREFIX)
    }
    path, named_by = _config_location(config_path, environ)
    file_data = _read_toml(path, named_by)
    problems = [_unknown_env_var(name) for name in environ if not _known_env_var(name)]
    origins = _Origins(str(path), file_data, {}, environ)
    try:
        origins.env_data = _EnvironmentSource(Settings, environ)()
    except SettingsError as exc:  # a JSON value that does not parse, e.g. BONDGENOTEN_WEBHOOK
        found = re.search(r'field "(\w+)"', str(exc))
        key = found[1] if found else "?"
        problems.append(f"environment {origins.env_name((key,))}: {key}: not valid JSON")
        raise ConfigError(problems, str(path)) from None
    try:
        settings = Settings.model_validate(_merge(file_data, origins.env_data))
    except ValidationError as exc:
        problems += [_problem(error, origins) for error in exc.errors(include_url=False)]
    if problems:
        raise ConfigError([problem.replace("\n", " ") for problem in problems], str(path))
    settings._config_file = f"{path}" if path.is_file() else f"{path} (not found, using defaults)"
    settings._origins = origins.by_key()
    return settings


class _EnvironmentSource(EnvSettingsSource):
    """pydantic-settings' own environment parsing, over a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {
            name.lower(): value
            for name, value in self._environ.items()
            if not (self.env_ignore_empty and value == "")
        }


def _config_location(config_path: Path | None, environ: Mapping[str, str]) -> tuple[Path, str]:
    """Return the config file to read and who named it ("" for the optional default)."""
    if config_path is not None:
        return config_path, str(config_path)
    named = next((v for k, v in environ.items() if k.upper() == CONFIG_ENV and v), None)
    if named is not None:
        return Path(named), f"environment {CONFIG_ENV}"
    return DEFAULT_CONFIG, ""


def _read_toml(path: Path, named_by: str) -> dict[str, Any]:
    if not path.exists():
        if not named_by:
            return {}
        raise ConfigError([f"{named_by}: config file {str(path)!r} not found"], str(path))
    try:
        # tomllib rather than TomlConfigSettingsSource: keys stay case-exact (TOML's rule)
        # and a syntax error keeps its line number for the message.
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        where = f"line {found[1]}, column {found[2]}: " if found else ""
        reason = re.sub(r" \(at .*\)$", "", str(exc))
        problem = f"{path}: {where}not valid TOML: {reason}"
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"{path}: cannot read the config file ({getattr(exc, 'strerror', None) or exc})"
    raise ConfigError([problem], str(path))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _sections() -> dict[str, type[BaseModel]]:
    return {
        name: info.annotation
        for name, info in Settings.model_fields.items()
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
    }


def _known_env_var(name: str) -> bool:
    first, *rest = name.upper().removeprefix(ENV_PREFIX).lower().split("__", 1)
    # BONDGENOTEN_TEST_* belong to the test suite (e.g. BONDGENOTEN_TEST_POSTGRES_URL).
    if name.upper() == CONFIG_ENV or first.startswith("test_"):
        return True
    # Unknown keys inside a section are left to validation, which names them.
    return first in Settings.model_fields and (not rest or first in _sections())


def _unknown_env_var(name: str) -> str:
    known = ["CONFIG"]
    for key in Settings.model_fields:
        section = _sections().get(key)
        known += [f"{key}__{sub}".upper() for sub in section.model_fields] if section else [key]
    wrong = name.upper().removeprefix(ENV_PREFIX)
    close = difflib.get_close_matches(wrong, [key.upper() for key in known], n=1)
    hint = f" (did you mean {ENV_PREFIX}{close[0]}?)" if close else ""
    return f"environment {name}: unknown setting{hint}"


@dataclass
class _Origins:
    """Where each raw value came from: the file or an environment variable, which wins."""

    file: str
    file_data: dict[str, Any]
    env_data: dict[str, Any]
    environ: Mapping[str, str]

    def of(self, keys: tuple[str, ...]) -> str:
        return f"environment {self.env_name(keys)}" if _present(self.env_data, keys) else self.file

    def env_name(self, keys: tuple[str, ...]) -> str:
        # The longest name set wins: BONDGENOTEN_WEBHOOK__PORT, else a JSON BONDGENOTEN_WEBHOOK.
        for depth in range(len(keys), 0, -1):
            wanted = ENV_PREFIX + "__".join(keys[:depth]).upper()
            for name in self.environ:
                if name.upper() == wanted:
                    return name
        return ENV_PREFIX + "__".join(keys).upper()

    def by_key(self) -> dict[str, str]:
        origins = {key: self.file for key in _flatten(self.file_data)}
        for key in _flatten(self.env_data):
            origins[key] = f"environment {self.env_name(tuple(key.split('.')))}"
        return origins


def _present(data: Any, keys: tuple[str, ...]) -> bool:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _flatten(data: dict[str, Any]) -> Iterator[str]:
    for key, value in data.items():
        if isinstance(value, dict) and key in _sections():
            yield from (f"{key}.{sub}" for sub in value)
        else:
            yield key


_SECRET_KEYS = {"token", "webhook.secret_token", "privacy.pseudonym_key"}
_PHRASES = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be text in quotes",
    "list_type": "must be a list, e.g. [123456789]",
    "model_type": "must be a section of keys",
    "model_attributes_type": "must be a section of keys",
    "dict_type": "must be a section of keys",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be more than {gt}",
    "less_than": "must be less than {lt}",
    "literal_error": "must be {expected}",
}


def _problem(error: ErrorDetails, origins: _Origins) -> str:
    """Turn one pydantic error into one line: origin, key, what is wrong, what was given."""
    loc = error["loc"]
    keys = tuple(part for part in loc if isinstance(part, str))
    key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)[1:]
    origin, kind, ctx = origins.of(keys), error["type"], error.get("ctx", {})
    if kind == "extra_forbidden":
        return f"{origin}: unknown key {key!r}{_suggestion(keys, origin)}"
    if kind == "webhook_incomplete":
        return f"{origins.of(('mode',))}: {error['msg']}"
    if kind == "value_error":  # our validators' messages already say what they need to
        return f"{origin}: {key}: {ctx['error']}"
    phrase = _PHRASES.get(kind)
    message = phrase.format(**ctx) if phrase else error["msg"][:1].lower() + error["msg"][1:]
    if key.split("[")[0] not in _SECRET_KEYS:
        message += f" (got {_shown_input(error['input'])})"
    return f"{origin}: {key}: {message}"


def _shown_input(value: Any) -> str:
    if isinstance(value, dict):
        return "a section"
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _suggestion(keys: tuple[str, ...], origin: str) -> str:
    *parents, unknown = keys
    sections = _sections()
    # A known key written outside its section, e.g. `port = 8443` above [webhook].
    close = [
        f"{name}.{unknown}" for name, model in sections.items() if unknown in model.model_fields
    ]
    if parents or not close:
        fields = sections[parents[0]].model_fields if parents else Settings.model_fields
        close = [".".join([*parents, c]) for c in difflib.get_close_matches(unknown, fields, n=1)]
    if not close:
        return ""
    if origin.startswith("environment"):
        return f" (did you mean {ENV_PREFIX}{close[0].replace('.', '__').upper()}?)"
    return f" (did you mean {close[0]!r}?)"
