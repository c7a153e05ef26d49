"""Publish: the audited build becomes ``warehouse/bnd.duckdb`` in one atomic rename.

In order, under the run lock:

1. refuse unless ingest, the full dbt build and the audit passed in this run (``build_record``);
2. write ``marts.meta_build`` into the build and fold its write-ahead log into the file;
3. write the exports (Parquet, Fiscal Data Package) from the build into ``.build/export``, and
   the data-quality report (``dq.json``, ``index.html``) into ``.build/reports``;
4. rename the build file over ``bnd.duckdb`` (``os.replace``: atomic on one filesystem), then swap
   in the reports and exports folders;
5. copy what is now published into ``history/<build_id>`` (whole, via a temporary name), prune
   the history to the newest five and rewrite its manifest.

A crash before step 4 leaves the published file byte-identical, and the history holds only builds
that were published; the next run starts a new build and tidies the history. A reader that opens
the published path sees the previous build or this one, never a mixture: a rename replaces the
directory entry, and a file already open keeps its old contents.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.lib import build_record, history
from pipelines.lib.build_meta import read_meta_build, write_meta_build
from pipelines.lib.dq_report import DQ_JSON, BuildFacts, write_report
from pipelines.lib.exports import PACKAGE_FILE, write_exports
from pipelines.lib.failpoints import failpoint
from pipelines.lib.settings import Settings
from pipelines.lib.warehouse_files import hold_run_lock, release_run_lock, replace_directory


@dataclass(frozen=True)
class Published:
    path: Path
    sha256: str
    meta: dict[str, Any]
    exports: dict[str, int]
    report_seconds: float


def publish_build(settings: Settings, run_id: str) -> Published:
    """Publish the build of ``run_id``; raises ``PublishRefusedError`` if it is not complete."""
    record = build_record.require_complete(settings, run_id)
    hold_run_lock(settings)
    meta, exports, report_seconds = stage_build(settings, record)
    failpoint("publish", settings.build_dir)
    os.replace(settings.build_db, settings.published_db)
    build_record.forget(settings)
    settings.landing_db.unlink(missing_ok=True)  # the run's landed lines are in the build now
    entry = finish_publish(settings, meta)
    release_run_lock(settings)
    return Published(settings.published_db, entry.sha256, meta, exports, report_seconds)


def stage_build(settings: Settings, record: dict) -> tuple[dict[str, Any], dict[str, int], float]:
    """Everything before the rename: ``meta_build``, checkpoint, exports, report."""
    build_db = settings.build_db
    if not build_db.is_file():
        raise FileNotFoundError(f"no build to publish at {build_db}")
    with duckdb.connect(str(build_db), config=settings.duckdb_config()) as con:
        meta = write_meta_build(con, record, datetime.now(UTC))
        con.execute("checkpoint")
    wal = Path(f"{build_db}.wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after a checkpoint; not publishing")
    incremental = record.get("kind") == build_record.FISCAL_YEARS
    exports = write_exports(
        build_db,
        settings.build_export_dir,
        meta,
        reprocessed_years=record.get("fiscal_years") if incremental else None,
        published_export_dir=settings.export_dir if incremental else None,
        config=settings.duckdb_config(),
    )
    started = time.monotonic()
    build = BuildFacts("published", record["run_id"], meta)
    write_report(settings.build_reports_dir, build_db, build)
    return meta, exports, time.monotonic() - started


def finish_publish(settings: Settings, meta: dict[str, Any]) -> history.Entry:
    """Everything after the rename: swap in the reports and exports, keep the build in history."""
    replace_directory(settings.build_reports_dir, settings.reports_dir)
    replace_directory(settings.build_export_dir, settings.export_dir)
    entry = history.add_entry(settings, meta)
    history.tidy(settings)
    return entry


def finish_interrupted_publish(settings: Settings) -> str | None:
    """Finish a publish that was killed after its rename; returns the build id it finished.

    The database is then published, but its reports and exports may still wait in ``.build``
    and its history entry be missing. Called by the next run (under the run lock) before it
    clears ``.build``. Folders are swapped in only when they carry the published build's id.
    """
    meta = read_meta_build(settings.published_db)
    if meta is None or settings.build_db.exists():
        return None
    published_id = meta["build_id"]
    if _build_id_of(settings.build_export_dir / PACKAGE_FILE) == published_id:
        build_record.forget(settings)
        finish_publish(settings, meta)
        return published_id
    if any(entry.build_id == published_id for entry in history.entries(settings)):
        return None
    if _build_id_of(settings.reports_dir / DQ_JSON, ("build", "build_id")) != published_id:
        return None  # the published reports are another build's: keep no history of them
    history.add_entry(settings, meta)
    history.tidy(settings)
    return published_id


def _build_id_of(path: Path, keys: tuple[str, ...] = ("build_id",)) -> str | None:
    """The build id a JSON file (datapackage.json, dq.json) says it belongs to."""
    if not path.is_file():
        return None
    value: Any = json.loads(path.read_text(encoding="utf-8"))
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value
