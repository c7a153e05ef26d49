"""Builds run dbt from the parse state ``prepare`` kept, and fall back to parsing without it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.core.settings import PROJECT_ROOT
from pipelines.defs.transform import project
from pipelines.defs.transform.assets import DBT_BUILD_FLAGS
from pipelines.defs.transform.dbt_command import PARSE_STATE_ENV
from pipelines.defs.transform.project import (
    DBT_COMMAND,
    current_parse_state,
    dbt_build_resource,
)
from tests.integration.conftest import Build, empty_landing, unbuilt_copy


def test_the_build_resource_runs_the_dbt_command_with_this_python() -> None:
    resource = dbt_build_resource()
    assert resource.dbt_executable == sys.executable
    assert resource.global_config_flags == [str(DBT_COMMAND)]


def test_a_build_neither_parses_nor_keeps_a_parse_of_its_own(published_build: Build) -> None:
    # dbt writes its parse state into the invocation's folder whenever it parsed; a build run
    # from the kept state never parses, so its folder has none.
    folders = list(published_build.dbt_target.glob("bnd_dbt_models-*"))
    assert folders, "the build kept no dbt invocation folder"
    for folder in folders:
        assert (folder / "run_results.json").is_file()
        assert not (folder / "partial_parse.msgpack").exists(), folder


def test_the_state_is_used_only_while_it_is_that_of_the_current_sources(
    published_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = current_parse_state()
    assert state is not None and state.name == "bnd_parse_state.msgpack"

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


# What `make lint` ran before it had a target folder of its own: sqlfluff's dbt templater parsed
# the project with these paths into dbt_project/target, over the builds' parse state.
LINT_PROFILE = {"BND_BUILD_DB": "lint.duckdb", "BND_LANDING_DB": "lint_landing.duckdb"}


def test_a_parse_with_another_profile_in_the_target_folder_leaves_the_builds_working(
    tmp_path: Path, published_build: Build
) -> None:
    """A copy of the project (its own dbt target folder): prepared as `make run` prepares, then
    parsed by another dbt command with the lint profile into the same target folder. The state
    the copy's pipeline then picks (``current_parse_state``) must be the one its own parse kept,
    and a build from it (the command and arguments the transform step runs, on the raw tables
    of a published build, for the value of record and everything it is built from) must pass."""
    root = tmp_path / "project"
    ignore = shutil.ignore_patterns("target", "logs", "__pycache__", "*.pyc")
    for folder in ("pipelines", "dbt_project", "expectations", "data_raw"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder, ignore=ignore)
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(PROJECT_ROOT / name, root / name)
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "BND_DATA_RAW": str(root / "data_raw"),
        "BND_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
    }
    env.pop("DAGSTER_HOME", None)
    env.pop("DBT_TARGET_PATH", None)

    def run(*command: str, cwd: Path = root, **extra: str) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            [sys.executable, *command],
            cwd=cwd,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
        return completed

    run("-m", "pipelines", "prepare")
    target = root / "dbt_project" / "target"
    kept = (target / "bnd_parse_state.msgpack").read_bytes()
    lint = {name: str(tmp_path / file) for name, file in LINT_PROFILE.items()}
    run("-m", "dbt.cli.main", "parse", "--profiles-dir", ".", cwd=root / "dbt_project", **lint)
    # The other parse wrote dbt's own files in the target folder, not the builds' state.
    assert (target / "partial_parse.msgpack").read_bytes() != kept
    assert b"lint" in (target / "manifest.json").read_bytes()

    picked = run(
        "-c",
        "from pipelines.defs.transform.project import current_parse_state as state; print(state())",
    ).stdout.strip()
    assert picked == str(target / "bnd_parse_state.msgpack")
    assert Path(picked).read_bytes() == kept

    build_db = tmp_path / "bnd.duckdb"
    unbuilt_copy(published_build.settings.published_db, build_db)
    landing_db = empty_landing(tmp_path)
    # The build's command on the value of record and what it is built from (seeds, staging,
    # fct_budget, dim_source …): every relation it names is one the kept state resolved, so a state
    # parsed with the lint profile would fail here (Binder Error on the lint database), at a
    # tenth of a whole build's nodes.
    completed = run(
        str(root / DBT_COMMAND.relative_to(PROJECT_ROOT)),
        "build",
        *DBT_BUILD_FLAGS,
        "--select",
        "+fct_budget_current",
        "--indirect-selection",
        "cautious",  # the tests of those models only, not a test also reading another one
        cwd=root / "dbt_project",
        BND_BUILD_DB=str(build_db),
        BND_LANDING_DB=str(landing_db),
        BND_DUCKDB_TEMP_DIR=str(tmp_path / "duckdb_tmp"),
        DBT_PROFILES_DIR=str(root / "dbt_project"),
        DBT_TARGET_PATH=str(tmp_path / "build_target"),
        **{PARSE_STATE_ENV: picked},
    )

    assert "parse state not used" not in completed.stdout
    assert "Completed successfully" in completed.stdout
    assert "Binder Error" not in completed.stdout + completed.stderr
    # Built from the kept state: dbt did not parse, so it kept no parse of its own.
    assert not (tmp_path / "build_target" / "partial_parse.msgpack").exists()
