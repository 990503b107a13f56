"""Settings and CLI tests run in an empty directory with no BONDGENOTEN_* variables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Drop BONDGENOTEN_* from the environment and work in tmp_path (no stray config.toml)."""
    for name in list(os.environ):
        if name.upper().startswith("BONDGENOTEN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
