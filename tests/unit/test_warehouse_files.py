"""Build-file handling: fresh builds, the run lock, and the atomic publish."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

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


def _build(settings: Settings, value: int) -> None:
    start_build(settings)
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("create table t as select ? as v", [value])
    (settings.build_reports_dir / "report.txt").write_text(str(value))


def test_publish_renames_the_build_and_swaps_the_reports(settings: Settings) -> None:
    _build(settings, 1)
    publish_build(settings)
    _build(settings, 2)
    publish_build(settings)

    assert not settings.build_db.exists()
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        assert con.execute("select v from t").fetchone() == (2,)
    assert (settings.reports_dir / "report.txt").read_text() == "2"
    assert not Path(f"{settings.published_db}.wal").exists()


def test_a_new_build_clears_what_a_crashed_one_left(settings: Settings) -> None:
    _build(settings, 1)
    Path(f"{settings.build_db}.wal").write_bytes(b"junk from a crash")
    start_build(settings)
    assert not settings.build_db.exists()
    assert not Path(f"{settings.build_db}.wal").exists()
    assert list(settings.build_reports_dir.iterdir()) == []


def test_publishing_without_a_build_fails_and_keeps_the_published_file(settings: Settings) -> None:
    _build(settings, 1)
    publish_build(settings)
    before = file_sha256(settings.published_db)
    with pytest.raises(FileNotFoundError, match="no build to publish"):
        publish_build(settings)
    assert file_sha256(settings.published_db) == before


def test_two_runs_cannot_build_the_same_warehouse(settings: Settings) -> None:
    with (
        run_lock(settings),
        pytest.raises(RunLockedError, match="another run is building"),
        run_lock(settings),
    ):
        pass
    with run_lock(settings):  # released once the first run ends
        pass
