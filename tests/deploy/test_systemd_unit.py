"""deploy/bondgenoten.service is a unit systemd accepts, with the safety the README promises."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import load_settings
from storage.engine import sqlite_file

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "bondgenoten.service"


def _service() -> configparser.SectionProxy:
    # strict=False: systemd allows a key twice (SystemCallFilter); the last one is kept here.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT, encoding="utf-8")
    return parser["Service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    # verify checks that ExecStart exists: point it at this installation's command, as the
    # install steps put it at /opt/bondgenoten/bin/bondgenoten.
    command = Path(sys.executable).with_name("bondgenoten")
    assert command.exists()
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecStart=/opt/bondgenoten/bin/bondgenoten run\n" in text
    unit = tmp_path / UNIT.name
    unit.write_text(text.replace("/opt/bondgenoten/bin/bondgenoten", str(command)))

    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # It also reports on the system's other units; only lines about this one count.
    ours = [line for line in (done.stdout + done.stderr).splitlines() if unit.name in line]
    assert (done.returncode, ours) == (0, [])


def test_the_unit_runs_as_its_own_user_restarts_on_failure_and_keeps_the_token_out() -> None:
    service = _service()

    assert service["User"] == "bondgenoten"
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # bad configuration: a restart won't help
    assert service["EnvironmentFile"] == "/etc/bondgenoten/bondgenoten.env"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert service["StateDirectory"] == "bondgenoten"
    assert "BONDGENOTEN_TOKEN" not in UNIT.read_text(encoding="utf-8")


def test_the_service_config_loads_with_an_absolute_database_in_the_state_directory() -> None:
    settings = load_settings(UNIT.with_name("config.toml"), env={})

    path = sqlite_file(settings.database_url)
    assert path is not None and path.is_absolute()
    assert path.parent == Path("/var/lib") / _service()["StateDirectory"]
    assert "install -m 0640 -g bondgenoten deploy/config.toml /etc/bondgenoten/config.toml" in (
        UNIT.read_text(encoding="utf-8")
    )
