"""Publishing an audited build: history of five, manifest, rollback, and refusing the rest.

The builds here are copies of the session's real build, given a build record as if ingest, dbt
and the audit had passed in a run; what is under test is the publish step, for real.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import jsonschema
import pytest

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import EXPECTATIONS_DIR, HISTORY_KEPT, Settings
from pipelines.lifecycle import build_record, history
from pipelines.lifecycle.build import start_build
from pipelines.lifecycle.build_record import PublishRefusedError
from pipelines.lifecycle.excel_export import CSV_DIR
from pipelines.lifecycle.history import RollbackError
from pipelines.lifecycle.published_layout import builds_dir, switch_to
from pipelines.lifecycle.publishing import (
    assemble,
    finish_database,
    publish_build,
    write_outputs,
)
from pipelines.lifecycle.run_lock import release_run_lock
from tests.conftest import DATA_RAW, files_under
from tests.integration.conftest import Build, run_cli


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    settings = Settings.at(DATA_RAW, tmp_path / "warehouse")
    yield settings
    release_run_lock(settings)


def audited_build(
    settings: Settings,
    template: Build,
    run_id: str,
    passed=build_record.STEPS[build_record.FULL],
):
    """Put a copy of a real build where a run builds, vouched for by the steps in ``passed``."""
    start_build(settings, run_id)
    shutil.copyfile(template.settings.published_db, settings.build_db)
    (settings.build_reports_dir / "note.txt").write_text(run_id)
    for step in passed:
        build_record.mark_passed(settings, run_id, step)


def published_build_id(settings: Settings) -> str:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return con.execute("select build_id from marts.meta_build").fetchone()[0]


def publish_many(settings: Settings, template: Build, count: int) -> list[str]:
    ids = []
    for number in range(count):
        audited_build(settings, template, f"run-{number:04d}-0000")
        ids.append(publish_build(settings, f"run-{number:04d}-0000").meta["build_id"])
    return ids


def test_history_keeps_the_last_five_published_builds_with_a_manifest(
    settings: Settings, published_build: Build
) -> None:
    ids = publish_many(settings, published_build, HISTORY_KEPT + 2)

    kept = history.entries(settings)
    assert [entry.build_id for entry in kept] == ids[::-1][:HISTORY_KEPT]
    assert sorted(path.name for path in settings.history_dir.iterdir()) == sorted(
        [*ids[-HISTORY_KEPT:], "manifest.json"]
    )
    manifest = json.loads((settings.history_dir / "manifest.json").read_text())
    assert manifest["current_build_id"] == ids[-1] == published_build_id(settings)
    assert [build["build_id"] for build in manifest["builds"]] == ids[::-1][:HISTORY_KEPT]
    for entry in kept:  # each kept database is the build as it was published
        assert file_sha256(entry.database) == entry.sha256
        assert entry.record["meta_build"]["build_id"] == entry.build_id
    assert file_sha256(settings.published_db) == kept[0].sha256
    assert (settings.reports_dir / "note.txt").read_text() == "run-0006-0000"
    assert not settings.build_db.exists()


def test_rollback_puts_the_previous_build_back_with_its_reports_and_exports(
    settings: Settings, published_build: Build
) -> None:
    first, second, third = publish_many(settings, published_build, 3)
    # The builds are copies of one: the same CSV downloads, which no history entry keeps.
    downloads = files_under(settings.export_dir / CSV_DIR)
    assert "dim_account.csv" in downloads and "fct_budget.csv" in downloads
    for entry in history.entries(settings):
        assert (entry.path / "export" / "fct_budget.parquet").is_file()
        assert not (entry.path / "export" / CSV_DIR).exists()

    assert history.rollback(settings).entry.build_id == second
    assert published_build_id(settings) == second
    assert files_under(settings.export_dir / CSV_DIR) == downloads  # written again from the Parquet
    assert (settings.reports_dir / "note.txt").read_text() == "run-0001-0000"
    # The published copy says it was rolled back, in meta_build and in its report; the kept
    # copy in history stays as it was published (its sha256 still matches its record).
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        at, replaced = con.execute(
            "select rolled_back_at_utc, rolled_back_from_build_id from marts.meta_build"
        ).fetchone()
    assert replaced == third and at is not None
    dq = json.loads((settings.reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert dq["rollback"]["build_id"] == second and dq["rollback"]["from_build_id"] == third
    jsonschema.validate(dq, json.loads((EXPECTATIONS_DIR / "dq.schema.json").read_text()))
    banner = (settings.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "<b>Rolled back.</b>" in banner and f"replacing build <code>{third}</code>" in banner
    (kept,) = [entry for entry in history.entries(settings) if entry.build_id == second]
    assert file_sha256(kept.database) == kept.sha256 != file_sha256(settings.published_db)
    published_record = json.loads((settings.warehouse_dir / "current" / "build.json").read_text())
    assert published_record["sha256"] == file_sha256(settings.published_db)
    assert published_record["meta_build"]["rolled_back_from_build_id"] == third
    package = json.loads((settings.export_dir / "datapackage.json").read_text())
    assert package["build_id"] == second

    # Through the command line, as `make rollback` runs it, one further step back.
    completed = run_cli("rollback", settings)
    assert completed.returncode == 0, completed.stderr
    assert f"is now build {first}" in completed.stdout
    assert published_build_id(settings) == first

    with pytest.raises(RollbackError, match="no earlier build"):
        history.rollback(settings)
    assert published_build_id(settings) == first
    assert history.rollback(settings, to_build_id=third).entry.build_id == third
    assert published_build_id(settings) == third
    manifest = json.loads((settings.history_dir / "manifest.json").read_text())
    assert manifest["current_build_id"] == third


def test_a_kept_build_whose_csv_cannot_be_written_again_is_not_rolled_back_to(
    settings: Settings, published_build: Build
) -> None:
    _, second, third = publish_many(settings, published_build, 3)
    (kept,) = [entry for entry in history.entries(settings) if entry.build_id == second]
    (kept.path / "export" / "dim_level.parquet").write_bytes(b"not parquet")
    builds = sorted(builds_dir(settings).iterdir())

    with pytest.raises(RollbackError, match=f"not rolling back to {second}: its CSV downloads"):
        history.rollback(settings, to_build_id=second)
    assert published_build_id(settings) == third
    assert sorted(builds_dir(settings).iterdir()) == builds  # nothing staged is left

    # `make rollback TO=…` says so in one line, naming the kept folder.
    completed = run_cli("rollback", settings, "--to", second)
    assert completed.returncode == 1 and completed.stdout == ""
    (line,) = completed.stderr.splitlines()
    assert line.startswith(f"error: not rolling back to {second}: its CSV downloads could not")
    assert str(kept.path / "export") in line and line.endswith("; nothing was published")
    assert published_build_id(settings) == third


def test_a_kept_build_with_its_csv_downloads_is_restored_with_them(
    settings: Settings, published_build: Build
) -> None:
    """Entries kept before the CSV downloads were left out of the history have them: a
    rollback publishes those as kept."""
    _, second, _ = publish_many(settings, published_build, 3)
    (kept,) = [entry for entry in history.entries(settings) if entry.build_id == second]
    shutil.copytree(settings.export_dir / CSV_DIR, kept.path / "export" / CSV_DIR)
    (kept.path / "export" / CSV_DIR / "dim_level.csv").write_text("as kept\n")

    history.rollback(settings, to_build_id=second)
    assert (settings.export_dir / CSV_DIR / "dim_level.csv").read_text() == "as kept\n"


def test_a_build_whose_audit_did_not_pass_is_never_published(
    settings: Settings, published_build: Build
) -> None:
    (good,) = publish_many(settings, published_build, 1)
    before = file_sha256(settings.published_db)
    every_step_but_audit = [s for s in build_record.STEPS[build_record.FULL] if s != "audit"]
    audited_build(settings, published_build, "run-bad", passed=every_step_but_audit)

    with pytest.raises(PublishRefusedError, match="these steps did not pass: audit"):
        publish_build(settings, "run-bad")
    # Publishing on its own later (a separate run) is refused as well.
    with pytest.raises(PublishRefusedError, match="ingest, ingest_lines, transform, "):
        publish_build(settings, "run-other")

    assert file_sha256(settings.published_db) == before
    assert published_build_id(settings) == good
    assert [entry.build_id for entry in history.entries(settings)] == [good]


def test_a_publish_killed_right_after_its_switch_is_finished_by_the_next_run(
    settings: Settings, published_build: Build
) -> None:
    (first,) = publish_many(settings, published_build, 1)
    audited_build(settings, published_build, "run-killed")
    record = build_record.require_complete(settings, "run-killed")
    meta = finish_database(settings, record)
    write_outputs(settings, record, meta)
    folder, _ = assemble(settings, meta, sha256=file_sha256(settings.build_db))
    switch_to(settings, folder)  # ... and the process dies here
    killed = meta["build_id"]
    # Database, reports and exports switched together: no reader sees the previous build's.
    package = json.loads((settings.export_dir / "datapackage.json").read_text())
    dq = json.loads((settings.reports_dir / "dq.json").read_text())
    assert published_build_id(settings) == package["build_id"] == dq["build"]["build_id"] == killed
    assert [entry.build_id for entry in history.entries(settings)] == [first]
    release_run_lock(settings)

    start_build(settings, "run-next")  # the next run starts

    assert [entry.build_id for entry in history.entries(settings)] == [killed, first]
    manifest = json.loads((settings.history_dir / "manifest.json").read_text())
    assert manifest["current_build_id"] == killed
    release_run_lock(settings)
    assert history.rollback(settings).entry.build_id == first
    package = json.loads((settings.export_dir / "datapackage.json").read_text())
    assert published_build_id(settings) == package["build_id"] == first
