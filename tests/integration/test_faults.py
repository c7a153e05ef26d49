"""Faults of the machine end ``python -m pipelines run`` with one line, never a traceback.

A full disk, a read-only warehouse folder, a missing raw or warehouse folder and a run lock held by
another run each stop the run with exit status 1 and one ``error:`` line on stderr naming the
folder and the remedy; the published file stays byte-identical. The full and read-only disks are
real: a 2 MB tmpfs mounted by the test (the tests run as root, here and in CI), remounted read-only
for the second case (root ignores file modes, not a read-only mount).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import PROJECT_ROOT, Settings
from pipelines.lifecycle.run_lock import run_lock
from tests.conftest import DATA_RAW
from tests.integration.conftest import cli_environment, run_cli


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``folder`` for the block; unmounted after it."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"cannot mount a tmpfs at {folder} ({mounted.stderr.strip()}): the fault tests need "
            "root and mount(8), as in CI; run them as root"
        )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def publish_stand_in(warehouse: Path) -> str:
    """A small DuckDB file as the published warehouse (the run must not touch it); its sha256."""
    with duckdb.connect(str(warehouse / "bnd.duckdb")) as con:
        con.execute("create table last_good as select 42 as answer")
    return file_sha256(warehouse / "bnd.duckdb")


def one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    """The run failed with exactly one line on stderr and no traceback anywhere; that line."""
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "Traceback" not in output, output
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), output
    return lines[0]


def test_a_disk_that_fills_during_the_build_is_named_and_nothing_is_published(
    tmp_path: Path,
) -> None:
    with tmpfs(tmp_path / "warehouse", "2m") as warehouse:
        before = publish_stand_in(warehouse)
        settings = Settings.at(DATA_RAW, warehouse)

        line = one_error_line(run_cli("run", settings, "--no-docs"))

        assert f"no space left on the filesystem of {warehouse}" in line
        assert f"(mounted at {warehouse})" in line
        assert f"into {settings.build_dir} of the " in line  # how much it wrote, of how much
        assert "set BND_WAREHOUSE_DIR to a folder on a larger disk" in line
        assert f"Nothing was published: {settings.published_db} unchanged (sha256 {before})" in line
        assert file_sha256(settings.published_db) == before
        trace = Path(line.rpartition("The full trace: ")[2].rstrip("."))
        try:
            assert "No space left on device" in trace.read_text(encoding="utf-8")
        finally:
            if not trace.is_relative_to(warehouse):
                trace.unlink()


def test_a_read_only_warehouse_is_named_and_nothing_is_published(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "warehouse", "2m") as warehouse:
        before = publish_stand_in(warehouse)
        settings = Settings.at(DATA_RAW, warehouse)
        remount(warehouse, "ro")

        line = one_error_line(run_cli("run", settings, "--no-docs"))

        remount(warehouse, "rw")
        assert f"{warehouse} is on a read-only filesystem (mounted at {warehouse})" in line
        assert "remount it read-write or set BND_WAREHOUSE_DIR to a writable folder" in line
        assert f"Nothing was published: {settings.published_db} unchanged (sha256 {before})" in line
        assert file_sha256(settings.published_db) == before


def test_missing_raw_and_warehouse_folders_are_named_with_their_setting(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    missing_raw = Settings.at(tmp_path / "no_such_raw", warehouse)
    line = one_error_line(run_cli("run", missing_raw))
    assert f"the raw folder {tmp_path / 'no_such_raw'} does not exist" in line
    assert "set BND_DATA_RAW" in line and "Nothing was built or published." in line

    missing_parent = Settings.at(DATA_RAW, tmp_path / "unmounted" / "warehouse")
    line = one_error_line(run_cli("run", missing_parent))
    assert f"the warehouse folder {tmp_path / 'unmounted' / 'warehouse'} does not exist" in line
    assert "set BND_WAREHOUSE_DIR" in line
    assert not (tmp_path / "unmounted").exists()  # nothing created on the wrong disk
    assert list(warehouse.iterdir()) == []


def test_a_run_lock_held_by_a_live_run_is_named_and_the_published_file_kept(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    before = publish_stand_in(warehouse)
    settings = Settings.at(DATA_RAW, warehouse)
    with run_lock(settings):  # this test process is the live run holding the lock
        line = one_error_line(run_cli("run", settings, "--no-docs"))
    assert f"another run (process {os.getpid()}) is building {warehouse}" in line
    assert f"(lock {settings.build_dir / 'run.lock'})" in line
    assert "wait for it to finish, then run again" in line
    assert "Nothing was published by this run." in line
    assert file_sha256(settings.published_db) == before


def test_an_environment_that_cannot_load_dagster_ends_in_one_line(tmp_path: Path) -> None:
    """The build's modules (Dagster, dagster-dbt) are loaded late, once the run knows it has
    work; a broken environment there still ends in one line naming the remedy, and the trace
    goes to a log."""
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    before = publish_stand_in(warehouse)
    settings = Settings.at(DATA_RAW, warehouse)
    # `None` in sys.modules makes that import fail, as a broken installation would
    script = (
        "import sys; sys.modules['pipelines.cli.build'] = None\n"
        "from pipelines.cli import main\n"
        "raise SystemExit(main(['run', '--no-docs']))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=cli_environment(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = one_error_line(completed)
    assert "Dagster and dbt could not be loaded (ModuleNotFoundError:" in line
    assert f"Nothing was published: {settings.published_db} unchanged (sha256 {before})" in line
    assert "Set the environment up again (`make setup`)" in line
    log = Path(line.rsplit("the full trace: ", 1)[1].rstrip("."))
    assert "pipelines.cli.build" in log.read_text(encoding="utf-8")
    assert file_sha256(settings.published_db) == before
