"""Builds run dbt from the parse state ``prepare`` kept, and fall back to parsing without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.defs.transform import project
from pipelines.defs.transform.dbt_command import PARSE_STATE_ENV
from pipelines.defs.transform.project import (
    DBT_COMMAND,
    current_parse_state,
    dbt_build_resource,
    warehouse_target_dir,
)
from tests.integration.conftest import Build


def test_the_build_resource_runs_the_dbt_command_with_this_python() -> None:
    resource = dbt_build_resource()
    assert resource.dbt_executable == sys.executable
    assert resource.global_config_flags == [str(DBT_COMMAND)]


def test_a_build_neither_parses_nor_keeps_a_parse_of_its_own(published_build: Build) -> None:
    # dbt writes its parse state into the invocation's folder whenever it parsed; a build run
    # from the kept state never parses, so its folder has none.
    folders = list(warehouse_target_dir(published_build.settings).glob("bnd_dbt_models-*"))
    assert folders, "the build kept no dbt invocation folder"
    for folder in folders:
        assert (folder / "run_results.json").is_file()
        assert not (folder / "partial_parse.msgpack").exists(), folder


def test_the_state_is_used_only_while_it_is_that_of_the_current_sources(
    published_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = current_parse_state()
    assert state is not None and state.name == "partial_parse.msgpack"

    monkeypatch.setattr(project, "project_fingerprint", lambda: "a dbt file changed since")

    assert current_parse_state() is None


def test_an_unreadable_state_is_said_and_dbt_runs_without_it(tmp_path: Path) -> None:
    broken = tmp_path / "partial_parse.msgpack"
    broken.write_bytes(b"\x00 not a manifest")

    completed = subprocess.run(
        [sys.executable, str(DBT_COMMAND), "--help"],
        env={**os.environ, PARSE_STATE_ENV: str(broken)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    assert f"{broken}: parse state not used" in completed.stdout
    assert "Usage:" in completed.stdout  # dbt's own answer followed
