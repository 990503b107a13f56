"""Reading the settings: the TOML file, BONDGENOTEN_* variables, where each value came from.

Problems become one human line each. The settings model is passed in, so this module never
imports bot.settings, and bot.settings can import it.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsError

ENV_PREFIX = "BONDGENOTEN_"
CONFIG_ENV = "BONDGENOTEN_CONFIG"
DEFAULT_CONFIG = Path("config.toml")

SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class ConfigError(Exception):
    """The configuration cannot be used; each problem is one line naming origin and key."""

    def __init__(self, problems: list[str], source: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
        self.source = source


def read_config(
    model: type[SettingsT],
    config_path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> tuple[SettingsT, str, dict[str, str], frozenset[str]]:
    """Validate `model` from the config file and environment; raise ConfigError on problems.

    Return the settings, the config file as described to a person, each key's origin, and
    the keys the file sets (an environment variable may override some of them).
    """
    environ = {
        name: value
        for name, value in (os.environ if env is None else env).items()
        if name.upper().startswith(ENV_PREFIX)
    }
    path, named_by = _config_location(config_path, environ)
    file_data = _quote_marked(_read_toml(path, named_by), model)
    problems = [
        _unknown_env_var(name, model) for name in environ if not _known_env_var(name, model)
    ]
    origins = _Origins(str(path), file_data, {}, environ, model)
    try:
        origins.env_data = _EnvironmentSource(model, environ)()
    except SettingsError as exc:  # a JSON value that does not parse, e.g. BONDGENOTEN_WEBHOOK
        found = re.search(r'field "(\w+)"', str(exc))
        key = found[1] if found else "?"
        problems.append(f"environment {origins.env_name((key,))}: {key}: not valid JSON")
        raise ConfigError(problems, str(path)) from None
    try:
        settings = model.model_validate(_merge(file_data, origins.env_data))
    except ValidationError as exc:
        problems += [_problem(error, origins) for error in exc.errors(include_url=False)]
    if problems:
        raise ConfigError([problem.replace("\n", " ") for problem in problems], str(path))
    config_file = f"{path}" if path.is_file() else f"{path} (not found, using defaults)"
    return settings, config_file, origins.by_key(), frozenset(_flatten(file_data, model))


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


@dataclass(frozen=True)
class _Quoted:
    """A string the file gave where a number or true/false belongs, e.g. `port = "8443"`."""

    # Not a str subclass: validation must refuse it, as it refuses "seven".
    text: str


def _quote_marked(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Mark the file's strings for number and true/false keys, so validation refuses them.

    The environment can only give strings, so "8443" must work there; in the file it is a
    mistake that lax validation would hide, while "seven" would be refused: be consistent.
    """
    marked: dict[str, Any] = {}
    sections = _sections(model)
    for key, value in data.items():
        info = model.model_fields.get(key)
        if key in sections and isinstance(value, dict):
            marked[key] = _quote_marked(value, sections[key])
        elif info is not None and _scalar(info.annotation) in (int, bool):
            if isinstance(value, str):
                value = _Quoted(value)
            elif isinstance(value, list):
                value = [_Quoted(item) if isinstance(item, str) else item for item in value]
            marked[key] = value
        else:
            marked[key] = value
    return marked


def _scalar(annotation: Any) -> Any:
    # int, bool, or the item type of a list such as coordinators' list[int].
    if get_origin(annotation) is list:
        (annotation,) = get_args(annotation) or (None,)
        while get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
    return annotation


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _sections(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    return {
        name: info.annotation
        for name, info in model.model_fields.items()
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
    }


def _known_env_var(name: str, model: type[BaseModel]) -> bool:
    first, *rest = name.upper().removeprefix(ENV_PREFIX).lower().split("__", 1)
    # BONDGENOTEN_TEST_* belong to the test suite (e.g. BONDGENOTEN_TEST_POSTGRES_URL).
    if name.upper() == CONFIG_ENV or first.startswith("test_"):
        return True
    # Unknown keys inside a section are left to validation, which names them.
    return first in model.model_fields and (not rest or first in _sections(model))


def _unknown_env_var(name: str, model: type[BaseModel]) -> str:
    known = ["CONFIG"]
    for key in model.model_fields:
        section = _sections(model).get(key)
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
    model: type[BaseModel]

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
        origins = {key: self.file for key in _flatten(self.file_data, self.model)}
        for key in _flatten(self.env_data, self.model):
            origins[key] = f"environment {self.env_name(tuple(key.split('.')))}"
        return origins


def _present(data: Any, keys: tuple[str, ...]) -> bool:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _flatten(data: dict[str, Any], model: type[BaseModel]) -> Iterator[str]:
    for key, value in data.items():
        if isinstance(value, dict) and key in _sections(model):
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
        return f"{origin}: unknown key {key!r}{_suggestion(keys, origin, origins.model)}"
    if kind == "webhook_incomplete":
        return f"{origins.of(('mode',))}: {error['msg']}"
    if kind == "value_error":  # our validators' messages already say what they need to
        return f"{origin}: {key}: {ctx['error']}"
    phrase = _PHRASES.get(kind)
    message = phrase.format(**ctx) if phrase else error["msg"][:1].lower() + error["msg"][1:]
    if isinstance(error["input"], _Quoted):
        message = _quoted_message(kind, error["input"])
    if key.split("[")[0] not in _SECRET_KEYS:
        message += f" (got {_shown_input(error['input'])})"
    return f"{origin}: {key}: {message}"


def _quoted_message(kind: str, value: _Quoted) -> str:
    wanted = "true or false" if kind.startswith("bool") else "a whole number"
    text = value.text.strip()
    looks_right = text.lower() in ("true", "false") or re.fullmatch(r"-?\d+", text)
    return f"must be {wanted}{', without quotes' if looks_right else ''}"


def _shown_input(value: Any) -> str:
    if isinstance(value, _Quoted):
        value = value.text
    if isinstance(value, dict):
        return "a section"
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _suggestion(keys: tuple[str, ...], origin: str, model: type[BaseModel]) -> str:
    *parents, unknown = keys
    sections = _sections(model)
    # A known key written outside its section, e.g. `port = 8443` above [webhook].
    close = [
        f"{name}.{unknown}" for name, model in sections.items() if unknown in model.model_fields
    ]
    if parents or not close:
        fields = sections[parents[0]].model_fields if parents else model.model_fields
        close = [".".join([*parents, c]) for c in difflib.get_close_matches(unknown, fields, n=1)]
    if not close:
        return ""
    if origin.startswith("environment"):
        return f" (did you mean {ENV_PREFIX}{close[0].replace('.', '__').upper()}?)"
    return f" (did you mean {close[0]!r}?)"
