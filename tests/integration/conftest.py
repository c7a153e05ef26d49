from __future__ import annotations

import atexit
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import (
    BUILD_DB_ENV,
    DBT_PROJECT_DIR,
    LANDING_DB_ENV,
    PROJECT_ROOT,
    TEMP_DIR_ENV,
    Settings,
)
from pipelines.core.sql import quote_identifier
from pipelines.defs.transform.project import (
    dbt_command_line,
    parse_state_env,
    warehouse_target_dir,
)
from pipelines.landing.budget_lines import land_lines
from tests.conftest import DATA_RAW
from tests.warm_cli import ForkedCommand, run_cli_forked, start_cli_forked

# The DuckDB 1.x client `make test` installs, for the tests that old BI drivers read the build.
OLD_CLIENT_PYTHON = PROJECT_ROOT / ".venv-duckdb1" / "bin" / "python"


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
    """``python -m pipelines <command> [args]`` against the given folders, in a process of its own
    forked from one that imported Dagster, dbt and GX once (``tests.warm_cli``)."""
    return run_cli_forked([command, *args], cli_environment(settings), PROJECT_ROOT)


def run_cli_process(
    command: str, settings: Settings, *args: str
) -> subprocess.CompletedProcess[str]:
    """``python -m pipelines <command> [args]`` as ``make`` runs it: a new interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines", command, *args],
        cwd=PROJECT_ROOT,
        env=cli_environment(settings),
        capture_output=True,
        text=True,
        timeout=600,
    )


def start_cli(command: str, settings: Settings, **extra_env: str) -> ForkedCommand:
    """``python -m pipelines <command>`` in the background (output discarded), forked as
    ``run_cli`` is."""
    return start_cli_forked([command], cli_environment(settings, **extra_env), PROJECT_ROOT)


@dataclass(frozen=True)
class Build:
    settings: Settings
    stdout: str

    @property
    def dbt_target(self) -> Path:
        """Copies of the dbt invocation folders the run left in the warehouse's dbt target folder:
        that folder is shared by every warehouse's builds, which prune it, newest kept."""
        return self.settings.warehouse_dir.parent / "dbt_target"


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (shared by every xdist worker) for a block."""
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> tuple[Path, Path]:
    """A folder every xdist worker of the session sees, and the lock file that guards it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return shared / name, shared / f"{name}.lock"


@pytest.fixture(scope="session")
def published_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """One real `make run` (CLI, own process) of the committed data_raw/ into a tmp folder.

    Built once per test session, not once per xdist worker: the first worker that needs it
    builds it under a lock in the folder the workers share, the other waits for it and reads
    the same build. Tests only read it (or copy it, through ``warehouse_with_published``)."""
    folder, lock = shared_folder(tmp_path_factory, "published_build")
    settings = Settings.at(DATA_RAW, folder / "warehouse")
    stdout = folder / "run.stdout"
    with exclusive(lock):
        if not stdout.is_file():
            shutil.rmtree(folder, ignore_errors=True)  # a run that failed in another worker
            folder.mkdir()
            completed = run_cli_process("run", settings)
            assert completed.returncode == 0, completed.stdout + completed.stderr
            # its dbt invocation folders (dbt docs are being written beside them meanwhile)
            for invocation in warehouse_target_dir(settings).glob("bnd_dbt_models-*"):
                shutil.copytree(invocation, folder / "dbt_target" / invocation.name)
            stdout.write_text(completed.stdout, encoding="utf-8")
    return Build(settings, stdout.read_text(encoding="utf-8"))


@pytest.fixture
def published_docs_alone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Held by the test that rewrites the shared build's ``reports/dbt_docs`` and by those reading
    them, whichever worker runs them: never one during another."""
    _, lock = shared_folder(tmp_path_factory, "published_docs")
    with exclusive(lock):
        yield


def copy_of_published(published_build: Build, warehouse: Path) -> Path:
    """A new warehouse folder ``warehouse`` holding a copy of a good published build (the "last
    good one")."""
    warehouse.mkdir()
    shutil.copy2(published_build.settings.published_db, warehouse / "bnd.duckdb")
    shutil.copytree(published_build.settings.reports_dir, warehouse / "reports")
    return warehouse


@pytest.fixture
def warehouse_with_published(tmp_path: Path, published_build: Build) -> Path:
    """A fresh warehouse folder holding a copy of a good published build."""
    return copy_of_published(published_build, tmp_path / "warehouse")


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


@dataclass(frozen=True)
class DbtOnCopy:
    """A copy of a published build and the environment to run dbt against it by hand."""

    build_db: Path
    target: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``dbt <args>`` in the dbt project, against the copy (its output captured); started
        from the parse state ``prepare`` kept, as the pipeline's dbt commands are (a parse of
        its own took about 4.5 s of each command)."""
        return subprocess.run(
            dbt_command_line(*args, "--profiles-dir", "."),
            cwd=DBT_PROJECT_DIR,
            env={**self.env, **parse_state_env()},
            capture_output=True,
            text=True,
            timeout=600,
        )

    def results(self) -> dict[str, dict]:
        """dbt's ``run_results.json`` of the last command, by node name."""
        run_results = json.loads((self.target / "run_results.json").read_text(encoding="utf-8"))
        return {result["unique_id"].split(".")[-1]: result for result in run_results["results"]}


def dbt_in(folder: Path, **profile: str) -> DbtOnCopy:
    """dbt's profile pointed at ``folder``: its build file ``bnd.duckdb`` (not made here), an
    empty landing database, its spill and target folders (``Settings.dbt_env`` names them for a
    run); ``profile`` overrides any of them."""
    build_db, target = folder / "bnd.duckdb", folder / "target"
    env = {
        **os.environ,
        BUILD_DB_ENV: str(build_db),
        LANDING_DB_ENV: str(empty_landing(folder)),
        TEMP_DIR_ENV: str(folder / "duckdb_tmp"),
        "DBT_TARGET_PATH": str(target),
        **profile,
    }
    return DbtOnCopy(build_db, target, env)


# The schemas dbt builds (the raw tables and the seeds' reference tables are left).
BUILT_SCHEMAS = ("marts", "audit", "intermediate", "staging")


# Copies already prepared by this test process, by (published file, its size and time, built):
# the seeds and views are made once per published build and worker, not once per test.
_PREPARED: dict[tuple[str, int, int, bool], Path] = {}


def unbuilt_copy(published_db: Path, build_db: Path) -> None:
    """A copy of ``published_db`` at ``build_db`` as ingest leaves a build file: the raw and
    reference tables, nothing dbt built."""
    shutil.copy2(published_db, build_db)
    with duckdb.connect(str(build_db)) as con:
        for schema in BUILT_SCHEMAS:
            con.execute(f"drop schema if exists {quote_identifier(schema)} cascade")


def empty_landing(folder: Path) -> Path:
    """A landing database with no budget lines in ``folder`` (what dbt attaches as ``landing``)."""
    landing_db = folder / "landing.duckdb"
    with duckdb.connect(str(landing_db)) as con:
        land_lines(con, [], [])
    return landing_db


def dbt_on_copy(published_db: Path, folder: Path, built: bool = True) -> DbtOnCopy:
    """Copy ``published_db`` into ``folder``, with an empty landing database beside it.

    ``built=False`` drops what dbt built, leaving the raw and reference tables: models can then
    be built again from them (the marts' foreign keys forbid replacing a dimension in place).
    The published file holds only what readers and a refresh of fiscal years need
    (``lifecycle.published_schemas``), so the seeds and views dbt made the marts from are made
    again on the copy first (by dbt, once per published build in each test process; later
    copies are copies of that prepared file)."""
    dbt = dbt_in(folder)
    stat = published_db.stat()
    key = (str(published_db), stat.st_size, stat.st_mtime_ns, built)
    prepared = _PREPARED.get(key)
    if prepared is not None and prepared.is_file():
        shutil.copy2(prepared, dbt.build_db)
        return dbt
    if built:
        shutil.copy2(published_db, dbt.build_db)
    else:
        unbuilt_copy(published_db, dbt.build_db)
    completed = dbt.run(
        "build",
        "--select",
        "resource_type:seed config.materialized:view",
        "--resource-type",
        "seed",
        "--resource-type",
        "model",
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    kept = Path(tempfile.mkdtemp(prefix="bnd-dbt-copy-")) / "bnd.duckdb"
    atexit.register(shutil.rmtree, kept.parent, True)
    shutil.copy2(dbt.build_db, kept)  # dbt has closed (and checkpointed) the file
    _PREPARED[key] = kept
    return dbt
