"""Build-file handling: fresh builds, the run lock, the build record and the atomic publish."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.lib import build_record
from pipelines.lib.build_record import PublishRefusedError
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse_files import (
    RunLockedError,
    file_sha256,
    publish_build,
    run_lock,
    start_build,
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.at(tmp_path / "raw", tmp_path / "warehouse")


def _build(settings: Settings, value: int, run_id: str, passed=("transform", "audit")) -> None:
    start_build(settings, run_id)
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("create table t as select ? as v", [value])
    (settings.build_reports_dir / "report.txt").write_text(str(value))
    for step in passed:
        build_record.mark_passed(settings, run_id, step)


def _published_value(settings: Settings) -> int:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def test_publish_renames_the_build_and_swaps_the_reports(settings: Settings) -> None:
    _build(settings, 1, "run-1")
    publish_build(settings, "run-1")
    _build(settings, 2, "run-2")
    publish_build(settings, "run-2")

    assert not settings.build_db.exists()
    assert _published_value(settings) == 2
    assert (settings.reports_dir / "report.txt").read_text() == "2"
    assert not Path(f"{settings.published_db}.wal").exists()


def test_a_new_build_clears_what_a_crashed_one_left(settings: Settings) -> None:
    _build(settings, 1, "run-1")
    Path(f"{settings.build_db}.wal").write_bytes(b"junk from a crash")
    start_build(settings, "run-2")
    assert not settings.build_db.exists()
    assert not Path(f"{settings.build_db}.wal").exists()
    assert list(settings.build_reports_dir.iterdir()) == []
    assert build_record.read(settings)["passed"] == ["ingest"]


def test_publishing_without_a_build_fails_and_keeps_the_published_file(settings: Settings) -> None:
    _build(settings, 1, "run-1")
    publish_build(settings, "run-1")
    before = file_sha256(settings.published_db)
    with pytest.raises(PublishRefusedError):
        publish_build(settings, "run-1")
    assert file_sha256(settings.published_db) == before


def test_a_build_whose_audit_did_not_pass_is_never_published(settings: Settings) -> None:
    _build(settings, 1, "run-1")
    publish_build(settings, "run-1")
    _build(settings, 2, "run-2", passed=("transform",))  # the audit failed
    before = file_sha256(settings.published_db)

    with pytest.raises(PublishRefusedError, match="these steps did not pass: audit"):
        publish_build(settings, "run-2")
    # Publishing on its own later (a separate run) is refused as well.
    with pytest.raises(PublishRefusedError, match="ingest, transform, audit"):
        publish_build(settings, "run-3")
    assert file_sha256(settings.published_db) == before
    assert _published_value(settings) == 1


def test_a_step_of_another_run_cannot_vouch_for_the_build(settings: Settings) -> None:
    _build(settings, 1, "run-1", passed=())
    with pytest.raises(PublishRefusedError, match="started by run-1, not by run run-2"):
        build_record.mark_passed(settings, "run-2", "audit")


def test_two_runs_cannot_build_the_same_warehouse(settings: Settings) -> None:
    with (
        run_lock(settings),
        pytest.raises(RunLockedError, match="another run is building"),
        run_lock(settings),
    ):
        pass
    with run_lock(settings):  # released once the first run ends
        pass
