"""History and rollback on small real builds: copies never share a file with what is published,
kept builds are checked against their sha256, unreadable entries are named and skipped, and the
database, reports and exports switch together.

A "build" here is a tiny DuckDB file with a ``marts.meta_build`` row, a ``reports/dq.json`` and an
``export/datapackage.json`` naming its build id, published by the same functions a run uses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import PUBLISHED_NAME, Settings
from pipelines.lifecycle import history
from pipelines.lifecycle import published_layout as layout
from pipelines.lifecycle.build import finish_interrupted_publish
from pipelines.lifecycle.files import clone_or_copy, copy_with_sha256
from pipelines.lifecycle.history import RollbackError
from pipelines.lifecycle.published_layout import RECORD_FILE
from pipelines.lifecycle.publishing import assemble, finish_publish
from pipelines.lifecycle.rollback_mark import Rollback, mark_rolled_back
from pipelines.lifecycle.run_lock import release_run_lock, run_lock
from tests.integration.conftest import run_cli


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    settings = Settings.at(tmp_path / "raw", tmp_path / "warehouse")
    yield settings
    release_run_lock(settings)


def stage(settings: Settings, build_id: str) -> dict:
    """A staged build in ``.build`` as the publish step leaves it before moving it."""
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.meta_build as select ? as build_id", [build_id])
    settings.build_reports_dir.mkdir(exist_ok=True)
    (settings.build_reports_dir / "dq.json").write_text(
        json.dumps({"build": {"build_id": build_id}})
    )
    settings.build_export_dir.mkdir(exist_ok=True)
    (settings.build_export_dir / "datapackage.json").write_text(json.dumps({"build_id": build_id}))
    return {"build_id": build_id, "code_version": "test"}


def publish(settings: Settings, build_id: str) -> list[str]:
    """What a run does around publishing: finish the last one, move, switch, keep in history."""
    with run_lock(settings):
        finish_interrupted_publish(settings)
        meta = stage(settings, build_id)
        # The database's history copy made and hashed in one pass, as publishing does.
        database = history.keep_database(settings, build_id, settings.build_db)
        folder, _ = assemble(settings, meta, sha256=database.sha256)
        kept = history.stage_entry(settings, folder, database)  # before the switch
        layout.switch_to(settings, folder)
        return finish_publish(settings, kept)


def published_ids(settings: Settings) -> tuple[str, str, str]:
    """The build id of the published database, reports and exports, read through their paths."""
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        (database,) = con.execute("select build_id from marts.meta_build").fetchone()
    reports = json.loads((settings.reports_dir / "dq.json").read_text())["build"]["build_id"]
    export = json.loads((settings.export_dir / "datapackage.json").read_text())["build_id"]
    return database, reports, export


def corrupt_in_place(path: Path) -> None:
    """Overwrite bytes inside the file itself (same inode), as a writer gone wrong would."""
    with path.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\xff" * 64)


def inodes(folder: Path) -> set[tuple[int, int]]:
    return {
        (path.stat().st_dev, path.stat().st_ino)
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


def test_history_entries_share_no_file_with_the_published_build(settings: Settings) -> None:
    for build_id in ("b1", "b2"):
        publish(settings, build_id)

    published = inodes(layout.builds_dir(settings))
    kept = inodes(settings.history_dir)
    assert published and len(kept) >= 8  # two entries: database, build.json, report, export
    assert published.isdisjoint(kept)
    assert settings.published_db.stat().st_nlink == 1
    assert published_ids(settings) == ("b2", "b2", "b2")
    for entry in history.entries(settings):
        assert file_sha256(entry.database) == entry.sha256


def test_clone_or_copy_makes_another_file_with_the_same_bytes(tmp_path: Path) -> None:
    source, target = tmp_path / "a.bin", tmp_path / "b.bin"
    source.write_bytes(os.urandom(10_000))
    clone_or_copy(source, target)
    assert target.read_bytes() == source.read_bytes()
    assert target.stat().st_ino != source.stat().st_ino
    corrupt_in_place(source)
    assert target.read_bytes() != source.read_bytes()


def test_copy_with_sha256_copies_once_and_digests_the_bytes_it_wrote(tmp_path: Path) -> None:
    source, target = tmp_path / "a.bin", tmp_path / "b.bin"
    source.write_bytes(os.urandom((1 << 22) + 12_345))  # more than one block
    digest = copy_with_sha256(source, target)
    assert digest == file_sha256(source) == file_sha256(target)
    assert target.stat().st_ino != source.stat().st_ino  # a copy, never a hard link
    assert target.stat().st_mtime_ns == source.stat().st_mtime_ns


def test_a_history_copy_that_fails_is_named_and_leaves_nothing(settings: Settings) -> None:
    missing = settings.build_dir / "gone.duckdb"
    with pytest.raises(FileNotFoundError, match=r"gone\.duckdb"):
        history.keep_database(settings, "b1", missing)
    assert not (settings.history_dir / ".b1.partial").exists()


def test_a_kept_database_joins_only_the_entry_of_its_own_build(settings: Settings) -> None:
    meta = stage(settings, "b1")
    database = history.keep_database(settings, "other", settings.build_db)
    folder, _ = assemble(settings, meta, sha256=database.sha256)
    with pytest.raises(ValueError, match="is not the history copy of"):
        history.stage_entry(settings, folder, database)
    database.discard()
    assert not database.partial.exists()


def test_a_kept_database_whose_digest_is_not_the_recorded_one_is_refused(
    settings: Settings,
) -> None:
    meta = stage(settings, "b1")
    database = history.keep_database(settings, "b1", settings.build_db)
    assert database.sha256 == file_sha256(settings.build_db)
    folder, _ = assemble(settings, meta, sha256="0" * 64)  # a record the copy does not match
    with pytest.raises(history.CorruptBuildError, match="does not match 0000"):
        history.stage_entry(settings, folder, database)
    assert not database.partial.exists()  # nothing half-kept


def test_a_published_file_corrupted_in_place_leaves_its_kept_copy_good(settings: Settings) -> None:
    for build_id in ("b1", "b2"):
        publish(settings, build_id)
    good = file_sha256(settings.published_db)
    corrupt_in_place(settings.published_db)
    assert file_sha256(settings.published_db) != good

    (newest, _) = history.entries(settings)
    assert newest.build_id == "b2" and file_sha256(newest.database) == newest.sha256 == good
    rolled_back = history.rollback(settings, "b2")  # the kept copy repairs the published build
    assert rolled_back.entry.build_id == "b2"
    # Published again from the good copy, marked as rolled back (so its bytes differ from the
    # kept copy's, and its build.json records them); the kept copy is still good.
    record = json.loads((layout.current_folder(settings) / layout.RECORD_FILE).read_text())
    assert file_sha256(settings.published_db) == record["sha256"] != good
    # What the corrupt file held could not be read: the build it replaced is not named.
    assert record["meta_build"]["rolled_back_from_build_id"] is None
    assert file_sha256(newest.database) == good
    assert published_ids(settings) == ("b2", "b2", "b2")


def test_rollback_to_a_corrupt_kept_build_is_refused_and_publishes_nothing(
    settings: Settings,
) -> None:
    for build_id in ("b1", "b2"):
        publish(settings, build_id)
    corrupt_in_place(settings.history_dir / "b1" / "bnd.duckdb")
    before = file_sha256(settings.published_db)
    folders_before = sorted(p.name for p in layout.builds_dir(settings).iterdir())

    completed = run_cli("rollback", settings, "--to", "b1")

    assert completed.returncode == 1
    (line,) = completed.stderr.splitlines()
    assert str(settings.history_dir / "b1" / "bnd.duckdb") in line
    assert "does not match" in line and "recorded in" in line and "nothing was published" in line
    assert "Traceback" not in completed.stdout + completed.stderr
    assert file_sha256(settings.published_db) == before
    assert published_ids(settings) == ("b2", "b2", "b2")
    assert sorted(p.name for p in layout.builds_dir(settings).iterdir()) == folders_before


def test_rollback_skips_a_corrupt_kept_build_for_the_newest_good_one(settings: Settings) -> None:
    for build_id in ("b1", "b2", "b3"):
        publish(settings, build_id)
    corrupt_in_place(settings.history_dir / "b2" / "bnd.duckdb")

    completed = run_cli("rollback", settings)

    assert completed.returncode == 0, completed.stderr
    skipped = str(settings.history_dir / "b2" / "bnd.duckdb")
    assert any(
        line.startswith(f"skipped {skipped}: sha256") for line in completed.stdout.splitlines()
    )
    assert "is now build b1" in completed.stdout
    assert published_ids(settings) == ("b1", "b1", "b1")
    manifest = json.loads((settings.history_dir / "manifest.json").read_text())
    assert manifest["current_build_id"] == "b1"

    # With only corrupt builds before the current one, nothing is published.
    corrupt_in_place(settings.history_dir / "b1" / "bnd.duckdb")
    history.rollback(settings, "b3")
    with pytest.raises(RollbackError, match=r"no earlier build.*skipped .*b2.*b1"):
        history.rollback(settings)
    assert published_ids(settings) == ("b3", "b3", "b3")


def test_unreadable_history_records_are_named_and_skipped(settings: Settings) -> None:
    for build_id in ("b1", "b2", "b3", "b4"):
        publish(settings, build_id)
    (settings.history_dir / "b2" / "build.json").write_text("{not json")
    record = json.loads((settings.history_dir / "b3" / "build.json").read_text())
    del record["sha256"]
    (settings.history_dir / "b3" / "build.json").write_text(json.dumps(record))

    warnings = publish(settings, "b5")  # a run still publishes, and names both

    assert published_ids(settings) == ("b5", "b5", "b5")
    b2, b3 = (settings.history_dir / name / "build.json" for name in ("b2", "b3"))
    assert f"history entry skipped: {b2}: not JSON (Expecting property name" in warnings[0]
    assert warnings[1] == f"history entry skipped: {b3}: lacks sha256 (or has the wrong type)"
    manifest = json.loads((settings.history_dir / "manifest.json").read_text())
    assert [build["build_id"] for build in manifest["builds"]] == ["b5", "b4", "b1"]
    assert [skipped["path"] for skipped in manifest["skipped"]] == [
        "history/b2/build.json",
        "history/b3/build.json",
    ]
    assert manifest["published"] == "bnd.duckdb"
    assert str(settings.warehouse_dir) not in json.dumps(manifest)

    assert history.rollback(settings).entry.build_id == "b4"
    completed = run_cli("rollback", settings)  # past the two unreadable entries to b1
    assert completed.returncode == 0, completed.stderr
    assert f"skipped {b2}: not JSON" in completed.stdout
    assert f"skipped {b3}: lacks sha256" in completed.stdout
    assert "is now build b1" in completed.stdout
    assert published_ids(settings) == ("b1", "b1", "b1")
    completed = run_cli("rollback", settings, "--to", "b2")
    assert completed.returncode == 1
    assert completed.stderr.strip() == (
        f"error: not rolling back to b2: {b2}: not JSON (Expecting property name enclosed in "
        "double quotes at line 1 column 2); nothing was published"
    )


def test_a_kept_build_missing_its_database_is_skipped(settings: Settings) -> None:
    for build_id in ("b1", "b2", "b3"):
        publish(settings, build_id)
    missing = settings.history_dir / "b2" / "bnd.duckdb"
    missing.unlink()

    rolled_back = history.rollback(settings)

    assert rolled_back.entry.build_id == "b1"
    assert rolled_back.skipped == [f"skipped {missing}: missing"]
    assert published_ids(settings) == ("b1", "b1", "b1")
    with pytest.raises(RollbackError, match=f"not rolling back to b2: {missing}: missing"):
        history.rollback(settings, "b2")


def test_database_reports_and_exports_switch_together(settings: Settings) -> None:
    publish(settings, "b1")
    with run_lock(settings):
        meta = stage(settings, "b2")
        folder, _ = assemble(settings, meta, sha256=file_sha256(settings.build_db))
        # Assembled but not switched (a kill here): readers still see b1, whole.
        assert published_ids(settings) == ("b1", "b1", "b1")
        layout.switch_to(settings, folder)
        # Switched, history not yet written (a kill here): readers see b2, whole.
        assert published_ids(settings) == ("b2", "b2", "b2")
    for name in ("bnd.duckdb", "reports", "export"):
        assert os.readlink(settings.warehouse_dir / name) == f"current/{name}"
    assert os.readlink(layout.current_link(settings)) == "builds/b2"
    assert [entry.build_id for entry in history.entries(settings)] == ["b1"]

    with run_lock(settings):  # the next run finishes it: b2 is kept, b1's folder removed
        assert finish_interrupted_publish(settings) == "b2"
    assert [entry.build_id for entry in history.entries(settings)] == ["b2", "b1"]
    assert sorted(p.name for p in layout.builds_dir(settings).iterdir()) == ["b2"]


def test_the_next_run_keeps_no_corrupt_copy_of_a_build_published_before_a_kill(
    settings: Settings,
) -> None:
    publish(settings, "b1")
    with run_lock(settings):
        meta = stage(settings, "b2")
        folder, _ = assemble(settings, meta, sha256=file_sha256(settings.build_db))
        layout.switch_to(settings, folder)  # ... killed here; then the file is written in place
    corrupt_in_place(settings.published_db)

    with run_lock(settings):
        assert finish_interrupted_publish(settings) is None

    assert [entry.build_id for entry in history.entries(settings)] == ["b1"]
    assert not list(settings.history_dir.glob(".*partial"))
    assert history.rollback(settings).entry.build_id == "b1"


def test_a_warehouse_of_the_older_layout_moves_into_builds(settings: Settings) -> None:
    """Plain bnd.duckdb, reports/ and export/, as published before the switch by link."""
    stage(settings, "b0")
    settings.warehouse_dir.mkdir(exist_ok=True)
    os.replace(settings.build_db, settings.published_db)
    os.replace(settings.build_reports_dir, settings.reports_dir)
    os.replace(settings.build_export_dir, settings.export_dir)
    inode = settings.published_db.stat().st_ino

    with run_lock(settings):
        finish_interrupted_publish(settings)

    assert settings.published_db.is_symlink() and settings.published_db.stat().st_ino == inode
    assert published_ids(settings) == ("b0", "b0", "b0")
    assert [entry.build_id for entry in history.entries(settings)] == ["b0"]
    publish(settings, "b1")
    assert published_ids(settings) == ("b1", "b1", "b1")
    assert history.rollback(settings).entry.build_id == "b0"
    assert published_ids(settings) == ("b0", "b0", "b0")


def test_a_build_published_before_the_rollback_columns_gains_them(tmp_path: Path) -> None:
    folder = tmp_path / "build"
    folder.mkdir()
    with duckdb.connect(str(folder / PUBLISHED_NAME)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.meta_build as select 'b-old' as build_id")
    (folder / RECORD_FILE).write_text(json.dumps({"build_id": "b-old", "sha256": "0" * 64}))
    at = datetime(2026, 12, 6, 7, 0, 0)

    mark_rolled_back(folder, Rollback("b-old", at, "b-new"), config={})

    with duckdb.connect(str(folder / PUBLISHED_NAME), read_only=True) as con:
        row = con.execute("select * from marts.meta_build").fetchone()
    assert row == ("b-old", at, "b-new")
    record = json.loads((folder / RECORD_FILE).read_text())
    assert record["sha256"] == file_sha256(folder / PUBLISHED_NAME)
    assert record["meta_build"]["rolled_back_from_build_id"] == "b-new"


def test_clone_or_copy_copies_files_larger_than_one_kernel_copy_and_empty_ones(
    tmp_path: Path,
) -> None:
    for size in (0, 1, (1 << 22) + 7):
        source, target = tmp_path / f"{size}.bin", tmp_path / f"{size}.copy"
        source.write_bytes(os.urandom(size))
        clone_or_copy(source, target)
        assert target.read_bytes() == source.read_bytes(), size


def test_a_copy_that_cannot_write_names_the_file(tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"x" * 100)
    with pytest.raises(OSError, match=r"No space left on device: '/dev/full'"):
        copy_with_sha256(source, Path("/dev/full"))
