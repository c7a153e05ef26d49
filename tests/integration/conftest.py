from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.lib.checksums import file_sha256
from pipelines.lib.settings import PROJECT_ROOT, Settings
from tests.conftest import DATA_RAW


def cli_environment(settings: Settings, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "BND_DATA_RAW": str(settings.data_raw_dir),
        "BND_WAREHOUSE_DIR": str(settings.warehouse_dir),
        **extra,
    }
    env.pop("DAGSTER_HOME", None)  # an ephemeral Dagster instance: tests leave no run history
    return env


def run_cli(command: str, settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pipelines <command> [args]`` as ``make`` runs it, against the given folders."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines", command, *args],
        cwd=PROJECT_ROOT,
        env=cli_environment(settings),
        capture_output=True,
        text=True,
        timeout=600,
    )


def start_cli(command: str, settings: Settings, **extra_env: str) -> subprocess.Popen:
    """``python -m pipelines <command>`` in the background (output discarded)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", command],
        cwd=PROJECT_ROOT,
        env=cli_environment(settings, **extra_env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass(frozen=True)
class Build:
    settings: Settings
    stdout: str


@pytest.fixture(scope="session")
def published_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """One real `make run` (CLI, own process) of the committed data_raw/ into a tmp folder."""
    settings = Settings.at(DATA_RAW, tmp_path_factory.mktemp("warehouse"))
    completed = run_cli("run", settings)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return Build(settings, completed.stdout)


@pytest.fixture
def warehouse_with_published(tmp_path: Path, published_build: Build) -> Path:
    """A fresh warehouse folder holding a copy of a good published build (the "last good one")."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy2(published_build.settings.published_db, warehouse / "bnd.duckdb")
    shutil.copytree(published_build.settings.reports_dir, warehouse / "reports")
    return warehouse


@dataclass(frozen=True)
class LastGood:
    """Folders for a run over ``raw_copy`` into a warehouse holding a good published build."""

    settings: Settings
    published_sha256: str

    def published_unchanged(self) -> bool:
        return file_sha256(self.settings.published_db) == self.published_sha256


@pytest.fixture
def last_good(raw_copy: Path, warehouse_with_published: Path) -> LastGood:
    settings = Settings.at(raw_copy, warehouse_with_published)
    return LastGood(settings, file_sha256(settings.published_db))
