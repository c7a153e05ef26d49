"""Publish: the audited build, its reports and exports become the published ones in one step.

In order, under the run lock:

1. refuse unless ingest, the full dbt build and the audit passed in this run (``build_record``);
2. check that the filesystems have room for everything that follows (``lifecycle.space``);
3. write ``marts.meta_build`` into the build and fold its write-ahead log into the file;
4. copy the database into ``history/.<build_id>.partial``, hashing each block as it copies it
   (``history.keep_database``: the file is read once for its sha256 and its history copy);
   then write the exports (Parquet, CSV, XLSX, Fiscal Data Package) from it into
   ``.build/export``, and the data-quality report (``dq.json``, ``index.html``) and any other
   reports the caller adds (the dbt docs kept for this schema) into ``.build/reports``;
5. move the database, reports and exports into ``builds/<build_id>/`` with ``build.json`` (the
   database's sha256, from that one pass), via a temporary name;
6. copy the reports and exports, but for the CSV downloads (``history.NOT_KEPT``), into the
   history copy beside its database, flushed to disk;
7. switch ``warehouse/current`` to the build's folder: one ``os.replace`` of a symbolic link,
   through which ``bnd.duckdb``, ``reports/`` and ``export/`` lead (``lifecycle.published_layout``);
8. rename the history copy to ``history/<build_id>``, prune the history to the newest five and
   rewrite its manifest.

Everything that writes data, and so everything a full disk can stop, happens before the switch
(steps 2–6): a publish that fails there removes what it staged and leaves what readers see as
it was, and the run exits non-zero having changed nothing live. After the switch only renames
and the manifest remain; a failure there is a warning (the build is published, whole) that the
next run repairs. A reader that resolves the published paths sees the previous build or this
one, whole: database, reports and exports switch together, and a file already open keeps its
old contents. A crash after the switch leaves the new build published; the next run adds its
history entry (after checking the published database still has its recorded sha256).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.checks.check_list import build_checks, count_checks, counts_by_source
from pipelines.core.failpoints import failpoint
from pipelines.core.settings import PUBLISHED_NAME, Settings
from pipelines.lifecycle import build_record, history, space
from pipelines.lifecycle import published_layout as layout
from pipelines.lifecycle.build_meta import write_meta_build
from pipelines.lifecycle.comments import DBT_MANIFEST, mart_docs, read_manifest, write_comments
from pipelines.lifecycle.exports import write_exports
from pipelines.lifecycle.published_schemas import drop_build_only, refresh_needs
from pipelines.lifecycle.run_lock import hold_run_lock, release_run_lock
from pipelines.reports.dq_report import BuildFacts, write_report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Published:
    path: Path
    sha256: str
    meta: dict[str, Any]
    exports: dict[str, int]
    report_seconds: float
    # Writing the exports.
    export_seconds: float
    # History entries skipped or not made (one line each, naming the path); the build is published.
    warnings: list[str]


def publish_build(
    settings: Settings,
    run_id: str,
    inputs: dict | None = None,
    add_reports: Callable[[Path, Path], object] | None = None,
) -> Published:
    """Publish the build of ``run_id``; raises ``PublishRefusedError`` if it is not complete.

    ``inputs`` (what the build was made from) go into its ``build.json``; ``add_reports(build_db,
    reports_dir)`` writes further reports of the build into its staged reports folder."""
    record = build_record.require_complete(settings, run_id)
    hold_run_lock(settings)
    space.check_space(space.needs_before_staging(settings))
    meta = finish_database(settings, record)
    database = history.keep_database(settings, meta["build_id"], settings.build_db)
    try:
        exports, export_seconds, report_seconds = write_outputs(settings, record, meta, add_reports)
        failpoint("publish", settings.build_dir)
        folder, sha256 = assemble(settings, meta, inputs, sha256=database.sha256)
    except BaseException:
        database.discard()
        raise
    try:
        space.check_space(
            space.needs_after_staging(settings, folder),
            space.MARGIN_AFTER_STAGING_BYTES,
        )
        kept = history.stage_entry(settings, folder, database)
    except BaseException:
        database.discard()
        shutil.rmtree(folder, ignore_errors=True)  # never published: nothing reads it
        raise
    try:
        layout.prepare_switch(settings, folder)
        failpoint("kept", settings.build_dir)
    except BaseException:
        history.drop_entry(kept)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    build_record.forget(settings)
    settings.landing_db.unlink(missing_ok=True)  # the run's landed lines are in the build now
    layout.switch_to(settings, folder)
    failpoint("switched", settings.build_dir)
    warnings = finish_publish(settings, kept)
    release_run_lock(settings)
    return Published(
        settings.published_db, sha256, meta, exports, report_seconds, export_seconds, warnings
    )


def assemble(
    settings: Settings, meta: dict[str, Any], inputs: dict | None = None, *, sha256: str
) -> tuple[Path, str]:
    """Move the staged build (database, reports, exports) into ``builds/<build_id>`` with its
    ``build.json`` recording ``sha256``, the database's (read once, as it was copied into the
    history: ``history.keep_database``); returns the folder, not yet published, and the sha256."""
    layout.ensure_layout(settings)  # a warehouse of the older layout first moves into builds/
    build_id = meta["build_id"]
    partial = layout.partial_folder(settings, build_id)
    record = layout.new_record(meta, sha256, inputs)
    os.replace(settings.build_db, partial / PUBLISHED_NAME)
    for name, staged in (
        ("reports", settings.build_reports_dir),
        ("export", settings.build_export_dir),
    ):
        if staged.exists():
            os.replace(staged, partial / name)
        else:
            (partial / name).mkdir()
    (partial / layout.RECORD_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
    return layout.commit_folder(settings, partial, build_id), record["sha256"]


def finish_database(settings: Settings, record: dict) -> dict[str, Any]:
    """The database as it is published: ``meta_build``, the marts' comments, the schemas built
    only to make the marts dropped (``published_schemas``), checkpointed with no write-ahead log
    left; returns the ``meta_build`` row. Nothing writes the file after this."""
    build_db = settings.build_db
    if not build_db.is_file():
        raise FileNotFoundError(f"no build to publish at {build_db}")
    manifest = read_manifest(DBT_MANIFEST)
    with duckdb.connect(str(build_db), config=settings.duckdb_config()) as con:
        # Dropped and checkpointed first, so that meta_build and the comments take the blocks
        # the drop freed instead of growing the file (DuckDB reuses a block only once the
        # checkpoint that freed it is done).
        drop_build_only(con, refresh_needs(manifest))
        con.execute("checkpoint")
        checks = build_checks(settings.build_reports_dir)
        meta = write_meta_build(
            con, record, datetime.now(UTC), count_checks(checks), counts_by_source(checks)
        )
        write_comments(con, mart_docs(manifest))
        con.execute("checkpoint")
    wal = Path(f"{build_db}.wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after a checkpoint; not publishing")
    return meta


def write_outputs(
    settings: Settings,
    record: dict,
    meta: dict[str, Any],
    add_reports: Callable[[Path, Path], object] | None = None,
) -> tuple[dict[str, int], float, float]:
    """The exports and reports of the finished database (read-only) into ``.build``; returns
    the exports' rows per file, the exports' time and the reports' time."""
    build_db = settings.build_db
    incremental = record.get("kind") == build_record.FISCAL_YEARS
    started = time.monotonic()
    exports = write_exports(
        build_db,
        settings.build_export_dir,
        meta,
        reprocessed_years=record.get("fiscal_years") if incremental else None,
        published_export_dir=settings.export_dir if incremental else None,
        config=settings.duckdb_config(),
    )
    export_seconds = time.monotonic() - started
    started = time.monotonic()
    build = BuildFacts("published", record["run_id"], meta)
    write_report(settings.build_reports_dir, build_db, build)
    if add_reports is not None:
        add_reports(build_db, settings.build_reports_dir)
    return exports, export_seconds, time.monotonic() - started


def finish_publish(settings: Settings, kept: history.StagedEntry) -> list[str]:
    """Everything after the switch: name the history copy, prune the history and rewrite the
    manifest. Renames and a small manifest only; none of it can undo the publish, so a failure
    is a warning (one line each, naming the path), as are unreadable entries skipped."""
    warnings = []
    try:
        history.commit_entry(settings, kept)
    except OSError as error:
        warnings.append(f"published, but not kept in history ({error}); the next run keeps it")
    try:
        warnings += history.tidy_and_warn(settings)
    except OSError as error:
        warnings.append(f"history manifest not rewritten ({error}); the next run rewrites it")
    return warnings
