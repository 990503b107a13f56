"""Settings: what a person sees for a good configuration and for each kind of mistake."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr, ValidationError

from bot.settings import ConfigError, Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
SECRET_PART = "AAHk3qZ9sT-x_RealLookingSecret0123456"
TOKEN = f"123456789:{SECRET_PART}"


def write(text: str, name: str = "config.toml") -> Path:
    """Write a config file in the current (temporary) directory."""
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


def problems(config: Path | None = None, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(config, env=env or {})
    return info.value.problems


# --- values that load -------------------------------------------------------------------------


def test_defaults_without_file_or_environment() -> None:
    settings = load_settings(env={})

    assert settings.token is None
    assert settings.database_url == "sqlite+aiosqlite:///bondgenoten.db"
    assert settings.timezone == "Europe/Amsterdam"
    assert settings.tz == ZoneInfo("Europe/Amsterdam")
    assert settings.language == "nl"
    assert settings.coordinators == []
    assert settings.mode == "polling"
    assert (settings.webhook.listen, settings.webhook.port, settings.webhook.path) == (
        "0.0.0.0",
        8443,
        "telegram",
    )
    assert settings.webhook.url is None and settings.webhook.secret_token is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_url == "https://api.telegram.org/file/bot"
    assert settings.invitations.expiry_days == 7
    assert settings.groups.link_grace_minutes == 10
    assert settings.privacy.pseudonym_key is None
    assert settings.export.min_respondents == 5
    assert settings.checkins.default_duration_hours == 24
    assert settings.checkins.quiet_hours_start == time(22, 0)
    assert settings.checkins.quiet_hours_end == time(8, 0)
    assert settings.checkins.tally_edit_interval_seconds == 5
    assert settings.logging.level == "INFO"


def test_values_from_the_toml_file() -> None:
    write(
        """
        database_url = "postgresql://bg:pw@db.local:5432/bondgenoten"
        timezone = "UTC"
        language = "en"
        coordinators = [111, 222]
        mode = "webhook"
        telegram_api_url = "http://127.0.0.1:8081/bot"
        telegram_file_url = "http://127.0.0.1:8081/file/bot"
        [webhook]
        listen = "127.0.0.1"
        port = 8080
        url = "https://bot.example.org"
        secret_token = "a-Secret_token-0123"
        path = "/hook/"
        [invitations]
        expiry_days = 14
        [groups]
        link_grace_minutes = 30
        [privacy]
        pseudonym_key = "k3y-for-pseudonyms-of-at-least-16"
        [export]
        min_respondents = 3
        [checkins]
        default_duration_hours = 6
        quiet_hours_start = "23:30"
        quiet_hours_end = 07:15:00
        tally_edit_interval_seconds = 10
        [logging]
        level = "debug"
        """.replace("\n        ", "\n")
    )

    settings = load_settings(env={})

    assert settings.database_url == "postgresql+asyncpg://bg:pw@db.local:5432/bondgenoten"
    assert settings.tz == ZoneInfo("UTC")
    assert settings.language == "en"
    assert settings.coordinators == [111, 222]
    assert settings.mode == "webhook"
    assert settings.telegram_api_url == "http://127.0.0.1:8081/bot"
    assert settings.webhook.listen == "127.0.0.1"
    assert settings.webhook.port == 8080
    assert settings.webhook.url == "https://bot.example.org"
    assert settings.webhook.secret_token is not None
    assert settings.webhook.secret_token.get_secret_value() == "a-Secret_token-0123"
    assert settings.webhook.path == "hook"
    assert settings.invitations.expiry_days == 14
    assert settings.groups.link_grace_minutes == 30
    assert settings.privacy.pseudonym_key is not None
    assert settings.export.min_respondents == 3
    assert settings.checkins.default_duration_hours == 6
    assert settings.checkins.quiet_hours_start == time(23, 30)
    assert settings.checkins.quiet_hours_end == time(7, 15)  # a TOML local time works too
    assert settings.checkins.tally_edit_interval_seconds == 10
    assert settings.logging.level == "DEBUG"


def test_environment_beats_the_file_and_nested_keys_use_double_underscore() -> None:
    write('language = "nl"\n[webhook]\nlisten = "127.0.0.1"\nport = 8000\n')

    settings = load_settings(
        env={"BONDGENOTEN_LANGUAGE": "en", "BONDGENOTEN_WEBHOOK__PORT": "9000"}
    )

    assert settings.language == "en"
    assert settings.webhook.port == 9000
    assert settings.webhook.listen == "127.0.0.1"  # the rest of [webhook] still from the file


def test_reads_os_environ_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BONDGENOTEN_TOKEN", TOKEN)
    monkeypatch.setenv("BONDGENOTEN_WEBHOOK__PORT", "9000")

    settings = load_settings()

    assert settings.token is not None and settings.token.get_secret_value() == TOKEN
    assert settings.webhook.port == 9000


def test_a_whole_section_may_come_as_json_from_the_environment() -> None:
    settings = load_settings(env={"BONDGENOTEN_WEBHOOK": '{"port": 9000}'})

    assert settings.webhook.port == 9000


def test_empty_environment_variable_counts_as_not_set() -> None:
    assert load_settings(env={"BONDGENOTEN_TOKEN": ""}).token is None


def test_settings_built_in_code_ignore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BONDGENOTEN_LANGUAGE", "en")

    assert Settings().language == "nl"
    assert Settings(language="en", token=SecretStr(TOKEN)).language == "en"


def test_config_file_choice_flag_then_variable_then_default() -> None:
    write('language = "en"', "default.toml")
    write('language = "en"\ntimezone = "UTC"', "named.toml")
    write('timezone = "Europe/London"')
    named = {"BONDGENOTEN_CONFIG": "named.toml"}

    assert load_settings(env={}).timezone == "Europe/London"
    assert load_settings(env=named).timezone == "UTC"
    assert load_settings(Path("default.toml"), env=named).timezone == "Europe/Amsterdam"


@pytest.mark.parametrize("value", ["111,222", "[111, 222]", " 111 , 222 ", '["111", "222"]'])
def test_coordinators_from_environment_as_json_or_comma_separated(value: str) -> None:
    settings = load_settings(env={"BONDGENOTEN_COORDINATORS": value})

    assert settings.coordinators == [111, 222]


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:///data/bg.db", "sqlite+aiosqlite:///data/bg.db"),
        ("sqlite+aiosqlite:///bondgenoten.db", "sqlite+aiosqlite:///bondgenoten.db"),
        ("postgres://bg:pw@db/bg", "postgresql+asyncpg://bg:pw@db/bg"),
        ("postgresql://bg@db:5432/bg", "postgresql+asyncpg://bg@db:5432/bg"),
        ("postgresql+asyncpg://bg@db/bg", "postgresql+asyncpg://bg@db/bg"),
    ],
)
def test_database_url_is_given_its_async_driver(given: str, used: str) -> None:
    assert load_settings(env={"BONDGENOTEN_DATABASE_URL": given}).database_url == used


def test_webhook_mode_from_the_environment() -> None:
    settings = load_settings(
        env={
            "BONDGENOTEN_MODE": "webhook",
            "BONDGENOTEN_WEBHOOK__URL": "https://bot.example.org",
            "BONDGENOTEN_WEBHOOK__SECRET_TOKEN": "s3cret-Token_value",
        }
    )

    assert settings.mode == "webhook"
    assert settings.webhook.secret_token is not None
    assert settings.webhook.secret_token.get_secret_value() == "s3cret-Token_value"


# --- the example file ---------------------------------------------------------------------------


def test_example_file_loads_clean_and_holds_the_defaults() -> None:
    settings = load_settings(REPO / "config.example.toml", env={})

    assert settings.model_dump() == Settings().model_dump()


def test_example_file_documents_every_key_and_holds_no_secret() -> None:
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    lines = text.splitlines()

    for key, _ in _keys(Settings()):
        section, _, name = key.rpartition(".")
        env_name = "BONDGENOTEN_" + key.replace(".", "__").upper()
        written = re.search(rf"^(# )?{name} = ", text, re.MULTILINE)
        assert written or env_name in text, f"{key} is not documented"
        if section:
            assert f"[{section}]" in text
    for number, line in enumerate(lines):
        if re.match(r"^\w+ = ", line):
            assert lines[number - 1].startswith("#"), f"no comment above {line!r}"
    assert not re.search(r"\d{5,}:[A-Za-z0-9_-]{30,}", text)
    assert not re.search(r"^#? ?(token|secret_token|pseudonym_key) *=", text, re.MULTILINE)


def _keys(settings: Settings) -> list[tuple[str, object]]:
    keys: list[tuple[str, object]] = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if hasattr(type(value), "model_fields"):
            keys += [(f"{name}.{sub}", getattr(value, sub)) for sub in type(value).model_fields]
        else:
            keys.append((name, value))
    return keys


# --- one line per problem, naming the file or variable and the key ------------------------------


def test_unknown_key_suggests_the_right_one() -> None:
    write('databse_url = "sqlite:///x.db"\n')

    assert problems() == ["config.toml: unknown key 'databse_url' (did you mean 'database_url'?)"]


def test_unknown_key_in_a_section_and_unknown_section() -> None:
    write("[webhook]\nprot = 8443\n[webhok]\nport = 1\n")

    assert problems() == [
        "config.toml: unknown key 'webhook.prot' (did you mean 'webhook.port'?)",
        "config.toml: unknown key 'webhok' (did you mean 'webhook'?)",
    ]


def test_key_written_outside_its_section() -> None:
    write("port = 8443\n")

    assert problems() == ["config.toml: unknown key 'port' (did you mean 'webhook.port'?)"]


def test_wrong_type() -> None:
    write('[webhook]\nport = "abc"\n')

    assert problems() == ["config.toml: webhook.port: must be a whole number (got 'abc')"]


def test_true_is_not_a_number() -> None:
    write("[webhook]\nport = true\n")

    assert problems() == ["config.toml: webhook.port: must be a whole number (got true)"]


def test_wrong_type_from_the_environment_names_the_variable() -> None:
    assert problems(env={"BONDGENOTEN_WEBHOOK__PORT": "abc"}) == [
        "environment BONDGENOTEN_WEBHOOK__PORT: webhook.port: must be a whole number (got 'abc')"
    ]


def test_unknown_time_zone() -> None:
    write('timezone = "Europe/Amsterdm"\n')

    assert problems() == [
        "config.toml: timezone: unknown time zone 'Europe/Amsterdm' "
        "(did you mean 'Europe/Amsterdam'?)"
    ]


def test_values_out_of_range_and_choices() -> None:
    write(
        'language = "de"\nmode = "push"\n[invitations]\nexpiry_days = 91\n'
        '[groups]\nlink_grace_minutes = 0\n[logging]\nlevel = "verbose"\n'
    )

    assert problems() == [
        "config.toml: language: 'de' is not available; choose nl, en, ar, tr",
        "config.toml: mode: must be 'polling' or 'webhook' (got 'push')",
        "config.toml: invitations.expiry_days: must be at most 90 (got 91)",
        "config.toml: groups.link_grace_minutes: must be at least 1 (got 0)",
        "config.toml: logging.level: must be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL' "
        "(got 'verbose')",
    ]


def test_bad_quiet_hours() -> None:
    write('[checkins]\nquiet_hours_start = "25:00"\nquiet_hours_end = 800\n')

    assert problems() == [
        "config.toml: checkins.quiet_hours_start: must be a time of day as HH:MM, "
        "e.g. '22:00' (got '25:00')",
        "config.toml: checkins.quiet_hours_end: must be a time of day as HH:MM, "
        "e.g. '22:00' (got 800)",
    ]


def test_bad_coordinators() -> None:
    write("coordinators = [111, -5]\n")

    assert problems() == ["config.toml: coordinators[1]: must be more than 0 (got -5)"]
    assert problems(env={"BONDGENOTEN_COORDINATORS": "111,@alice"}) == [
        "environment BONDGENOTEN_COORDINATORS: coordinators[1]: must be a whole number "
        "(got '@alice')"
    ]


@pytest.mark.parametrize(
    "token",
    [
        "CHANGE_ME",
        "changeme",
        "<token>",
        "your-token-here",
        "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
        "xxx",
        "123456789:" + "x" * 35,
        "${BONDGENOTEN_TOKEN}",
    ],
)
def test_placeholder_token_is_refused(token: str) -> None:
    assert problems(env={"BONDGENOTEN_TOKEN": token}) == [
        "environment BONDGENOTEN_TOKEN: token: looks like a placeholder, "
        "put the token from BotFather here"
    ]


@pytest.mark.parametrize("token", ["12345:tooShortSecretPart", "bot-token-with-no-colon-a1b2c3"])
def test_token_of_the_wrong_shape_is_refused_without_repeating_it(token: str) -> None:
    write(f'token = "{token}"\n')

    [line] = problems()

    assert line.startswith("config.toml: token: does not look like a token from BotFather")
    assert token not in line


def test_a_real_looking_token_is_accepted() -> None:
    settings = load_settings(env={"BONDGENOTEN_TOKEN": TOKEN})

    assert settings.token is not None and settings.token.get_secret_value() == TOKEN


def test_webhook_mode_without_secret() -> None:
    write('mode = "webhook"\n[webhook]\nurl = "https://bot.example.org"\n')

    assert problems() == ["config.toml: mode is 'webhook' but webhook.secret_token is not set"]


def test_webhook_mode_without_url_and_secret_named_by_the_environment() -> None:
    assert problems(env={"BONDGENOTEN_MODE": "webhook"}) == [
        "environment BONDGENOTEN_MODE: mode is 'webhook' "
        "but webhook.url and webhook.secret_token are not set"
    ]


def test_bad_webhook_values() -> None:
    write('[webhook]\nurl = "http://bot.example.org"\nsecret_token = "has spaces!"\n')

    assert problems() == [
        "config.toml: webhook.url: must be the public https:// address of the bot's web "
        "server, e.g. 'https://bot.example.org' (got 'http://bot.example.org')",
        "config.toml: webhook.secret_token: must be 1–256 characters of A-Z, a-z, 0-9, "
        "'_' and '-'",
    ]


def test_pseudonym_key_placeholder_and_too_short() -> None:
    assert problems(env={"BONDGENOTEN_PRIVACY__PSEUDONYM_KEY": "changeme"}) == [
        "environment BONDGENOTEN_PRIVACY__PSEUDONYM_KEY: privacy.pseudonym_key: "
        "looks like a placeholder, put a long random secret here"
    ]
    assert problems(env={"BONDGENOTEN_PRIVACY__PSEUDONYM_KEY": "k7-Qa9_zZ"}) == [
        "environment BONDGENOTEN_PRIVACY__PSEUDONYM_KEY: privacy.pseudonym_key: "
        "must be at least 16 characters (got 9)"
    ]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "mysql://bg:hunter2secret@db/bg",
            "config.toml: database_url: unsupported database 'mysql': use "
            "sqlite+aiosqlite:///bondgenoten.db or postgresql+asyncpg://user:pw@host/db",
        ),
        (
            "postgresql+psycopg2://bg:hunter2secret@db/bg",
            "config.toml: database_url: unsupported database 'postgresql+psycopg2': use "
            "sqlite+aiosqlite:///bondgenoten.db or postgresql+asyncpg://user:pw@host/db",
        ),
        (
            "bondgenoten.db",
            "config.toml: database_url: must be a database URL such as "
            "sqlite+aiosqlite:///bondgenoten.db or postgresql+asyncpg://user:pw@host/db",
        ),
        (
            "sqlite://bondgenoten.db",
            "config.toml: database_url: a SQLite URL needs three slashes: "
            "sqlite+aiosqlite:///path/to.db",
        ),
    ],
)
def test_bad_database_url(url: str, says: str) -> None:
    write(f'database_url = "{url}"\n')

    assert problems() == [says]


def test_toml_syntax_error_gives_the_line() -> None:
    write('language = "nl"\ntimezone = \n')

    assert problems() == ["config.toml: line 2, column 12: not valid TOML: Invalid value"]


def test_missing_file_named_explicitly_is_an_error() -> None:
    assert problems(Path("nope.toml")) == ["nope.toml: config file 'nope.toml' not found"]
    assert problems(env={"BONDGENOTEN_CONFIG": "nope.toml"}) == [
        "environment BONDGENOTEN_CONFIG: config file 'nope.toml' not found"
    ]


def test_unknown_environment_variable_suggests_the_right_one() -> None:
    env = {
        "BONDGENOTEN_DATABSE_URL": "sqlite:///x.db",
        "BONDGENOTEN_WEBHOOK__PROT": "1",
        "BONDGENOTEN_TEST_POSTGRES_URL": "postgresql://x",  # the test suite's own variable
    }

    assert problems(env=env) == [
        "environment BONDGENOTEN_DATABSE_URL: unknown setting "
        "(did you mean BONDGENOTEN_DATABASE_URL?)",
        "environment BONDGENOTEN_WEBHOOK__PROT: unknown key 'webhook.prot' "
        "(did you mean BONDGENOTEN_WEBHOOK__PORT?)",
    ]


def test_bad_json_in_the_environment() -> None:
    assert problems(env={"BONDGENOTEN_WEBHOOK": "{port: 1"}) == [
        "environment BONDGENOTEN_WEBHOOK: webhook: not valid JSON"
    ]


def test_all_problems_are_reported_at_once() -> None:
    write('timezone = "Mars/Olympus"\n[webhook]\nport = 0\n')

    with pytest.raises(ConfigError) as info:
        load_settings(env={"BONDGENOTEN_TOKEN": "CHANGE_ME"})

    assert info.value.source == "config.toml"
    assert info.value.problems == [
        "environment BONDGENOTEN_TOKEN: token: looks like a placeholder, "
        "put the token from BotFather here",
        "config.toml: timezone: unknown time zone 'Mars/Olympus'",
        "config.toml: webhook.port: must be at least 1 (got 0)",
    ]
    assert str(info.value) == "\n".join(info.value.problems)


# --- describe() ---------------------------------------------------------------------------------


def test_describe_masks_secrets_and_says_where_values_came_from() -> None:
    write('language = "en"\n')
    settings = load_settings(
        env={
            "BONDGENOTEN_TOKEN": TOKEN,
            "BONDGENOTEN_DATABASE_URL": "postgresql://bg:hunter2secret@db/bg",
            "BONDGENOTEN_PRIVACY__PSEUDONYM_KEY": "a-long-random-pseudonym-key-value",
        }
    )

    lines = settings.describe()
    shown = "\n".join(lines)

    assert lines[0] == "config file: config.toml"
    assert f"token: 123456789…({len(TOKEN)} chars)  [environment BONDGENOTEN_TOKEN]" in lines
    assert (
        "database_url: postgresql+asyncpg://bg:***@db/bg  [environment BONDGENOTEN_DATABASE_URL]"
        in lines
    )
    assert "language: en  [config.toml]" in lines
    assert "timezone: Europe/Amsterdam  [default]" in lines
    assert "checkins.quiet_hours_start: 22:00  [default]" in lines
    assert SECRET_PART not in shown
    assert "hunter2secret" not in shown
    assert "a-long-random-pseudonym-key-value" not in shown
    assert "privacy.pseudonym_key: (hidden, 33 chars)  [environment " in shown


def test_describe_without_a_file() -> None:
    lines = load_settings(env={}).describe()

    assert lines[0] == "config file: config.toml (not found, using defaults)"
    assert "token: (not set)  [default]" in lines


def test_numbers_and_switches_in_quotes_are_refused_in_the_file_like_other_wrong_text() -> None:
    write(
        'telegram_flood_limits = "yes"\ncoordinators = ["111"]\n'
        '[webhook]\nport = "8443"\n[invitations]\nexpiry_days = "seven"\n'
    )

    assert problems() == [
        "config.toml: coordinators[0]: must be a whole number, without quotes (got '111')",
        "config.toml: webhook.port: must be a whole number, without quotes (got '8443')",
        "config.toml: telegram_flood_limits: must be true or false (got 'yes')",
        "config.toml: invitations.expiry_days: must be a whole number (got 'seven')",
    ]


def test_the_environment_gives_text_so_numbers_and_switches_are_read_from_it() -> None:
    settings = load_settings(
        env={"BONDGENOTEN_WEBHOOK__PORT": "8443", "BONDGENOTEN_TELEGRAM_FLOOD_LIMITS": "false"}
    )

    assert (settings.webhook.port, settings.telegram_flood_limits) == (8443, False)


def test_a_token_in_the_file_is_accepted_with_a_warning_that_does_not_repeat_it() -> None:
    write(f'token = "{TOKEN}"\ncoordinators = [1]\n')

    [warning] = load_settings(env={}).warnings()

    assert warning.startswith("config.toml: the bot token is in the config file;")
    assert SECRET_PART not in warning
    # Overridden by the environment, the token is still in the file.
    [again] = load_settings(env={"BONDGENOTEN_TOKEN": TOKEN}).warnings()
    assert again == warning
    write("coordinators = [1]\n")
    assert load_settings(env={"BONDGENOTEN_TOKEN": TOKEN}).warnings() == []


def test_language_is_one_of_the_catalog_folders_in_any_case() -> None:
    assert Settings(language=" TR ").language == "tr"
    assert Settings(language="ar").language == "ar"
    with pytest.raises(ValidationError, match="'fr' is not available; choose nl, en, ar, tr"):
        Settings(language="fr")
