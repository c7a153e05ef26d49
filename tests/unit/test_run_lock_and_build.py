"""Build files: one run per warehouse, a fresh DuckDB-1.x-readable file, and safe clean-up."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipelines.core.settings import STORAGE_VERSION, Settings
from pipelines.lifecycle import build_record
from pipelines.lifecycle.build import StaleBuildBusyError, start_build, wait_until_unused
from pipelines.lifecycle.build_record import PublishRefusedError
from pipelines.lifecycle.run_lock import RunLockedError, holds_run_lock, release_run_lock, run_lock


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    settings = Settings.at(tmp_path / "raw", tmp_path / "warehouse")
    yield settings
    release_run_lock(settings)


@contextmanager
def other_process(script: str) -> Iterator[subprocess.Popen]:
    """Run ``script`` in another Python process until it prints ``ready``; kill it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "ready"
        yield process
    finally:
        process.kill()
        process.wait()


def test_a_new_build_clears_what_a_crashed_one_left(settings: Settings) -> None:
    start_build(settings, "run-1")
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("create table t as select 1 as v")
    (settings.build_reports_dir / "report.txt").write_text("run-1")
    settings.build_export_dir.mkdir()
    Path(f"{settings.build_db}.wal").write_bytes(b"junk from a crash")
    release_run_lock(settings)  # the crashed run's process is gone

    start_build(settings, "run-2")

    with duckdb.connect(str(settings.build_db)) as con:
        assert con.execute("select count(*) from duckdb_tables()").fetchone()[0] == 0
    assert not Path(f"{settings.build_db}.wal").exists()
    assert list(settings.build_reports_dir.iterdir()) == []
    assert not settings.build_export_dir.exists()
    record = build_record.read(settings)
    assert (record["run_id"], record["kind"], record["passed"]) == ("run-2", "full", [])


def test_the_build_file_is_created_in_the_old_storage_format(settings: Settings) -> None:
    start_build(settings, "run-1")
    # Written to later by a plain connection (as ingest and dbt do), it keeps that format.
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("create table t as select 1 as v")
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = 'bnd'"
        ).fetchone()[0]
    assert tags["storage_version"].startswith(STORAGE_VERSION)


def test_a_second_run_on_the_same_warehouse_is_refused_until_the_first_ends(
    settings: Settings,
) -> None:
    lock = settings.build_dir / "run.lock"
    holder = f"""
        import fcntl, pathlib, sys, time
        path = pathlib.Path({str(lock)!r}); path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("w"); fcntl.flock(handle, fcntl.LOCK_EX)
        print("ready", flush=True); time.sleep(60)
    """
    with other_process(holder):
        with pytest.raises(RunLockedError, match=r"another run .* is building"):
            start_build(settings, "run-2")
        assert not holds_run_lock(settings)
    # Killed, the other run's lock is gone (as after kill -9): this run may start.
    start_build(settings, "run-2")
    assert holds_run_lock(settings)


def test_the_run_lock_is_released_at_the_end_of_a_block(settings: Settings) -> None:
    with run_lock(settings):
        assert holds_run_lock(settings)
    assert not holds_run_lock(settings)


def test_a_stale_build_still_written_by_a_leftover_process_is_not_deleted(
    settings: Settings,
) -> None:
    settings.build_dir.mkdir(parents=True)
    writer = f"""
        import duckdb, time
        con = duckdb.connect({str(settings.build_db)!r})
        con.execute("create table t as select 1 as v")
        print("ready", flush=True); time.sleep(60)
    """
    with other_process(writer):
        with pytest.raises(StaleBuildBusyError, match="still open for writing"):
            wait_until_unused(settings.build_db, timeout_s=1)
        assert settings.build_db.exists()
    wait_until_unused(settings.build_db, timeout_s=1)  # the writer is gone


def test_a_step_of_another_run_cannot_vouch_for_the_build(settings: Settings) -> None:
    start_build(settings, "run-1")
    with pytest.raises(PublishRefusedError, match="started by run-1, not by run run-2"):
        build_record.mark_passed(settings, "run-2", "audit")


def test_publishing_needs_every_step_of_the_same_run(settings: Settings) -> None:
    start_build(settings, "run-1")
    for step in ("ingest", "ingest_lines", "transform_lines", "audit_lines"):
        build_record.mark_passed(settings, "run-1", step)
    build_record.mark_passed(settings, "run-1", "transform")
    with pytest.raises(PublishRefusedError, match="these steps did not pass: audit"):
        build_record.require_complete(settings, "run-1")
    build_record.mark_passed(settings, "run-1", "audit")
    record = build_record.require_complete(settings, "run-1")
    assert record["passed"][-2:] == ["transform", "audit"]
    with pytest.raises(PublishRefusedError, match="ingest, ingest_lines, transform, "):
        build_record.require_complete(settings, "run-3")
