"""The build of a run: started fresh, started from the published build, or recovered.

BI tools read ``warehouse/bnd.duckdb``. A run never writes to it: it builds into a new
``warehouse/.build/bnd.duckdb`` and only publishing (``lifecycle.publishing``) switches an audited
build in. Before a run starts its build it takes the run lock (``lifecycle.run_lock``) and
recovers from whatever an earlier run left: a publish killed after its switch is finished (its
history entry added), and the stale build file, landing database and reports are removed; but not
while a process the crashed run started (a dbt that outlived its parent) still writes to the old
file. Ingest asks for the build of its run here and never touches publishing.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
import time
from pathlib import Path

import duckdb

from pipelines.checks.check_list import DBT_RESULTS, GX_RESULTS
from pipelines.core import progress
from pipelines.core.settings import STORAGE_VERSION, Settings
from pipelines.landing.budget_lines import LANDING_DDL
from pipelines.lifecycle import build_record, history
from pipelines.lifecycle import published_layout as layout
from pipelines.lifecycle.build_meta import read_meta_build
from pipelines.lifecycle.files import clone_or_copy
from pipelines.lifecycle.run_lock import hold_run_lock
from pipelines.reports.dq_report import BuildFacts, write_report

log = logging.getLogger(__name__)


class StaleBuildBusyError(RuntimeError):
    """A process left over from a crashed run still writes to the old build file."""


def build_for_run(settings: Settings, run_id: str, kind: str = build_record.FULL) -> Path:
    """The build file of ``run_id``, started now if the run has none yet: a new, empty file for a
    full refresh (``start_build``), a copy of the published build for a refresh of some fiscal
    years (``start_fiscal_years_build``). Ingest asks for its build here."""
    if build_record.is_building(settings, run_id):
        return settings.build_db
    if kind == build_record.FULL:
        return start_build(settings, run_id)
    return start_fiscal_years_build(settings, run_id)


def start_build(settings: Settings, run_id: str) -> Path:
    """Take the run lock, clear what an earlier run left, and create this run's empty build file.

    The file is created in DuckDB's ``STORAGE_VERSION`` format, which later writers (ingest, dbt)
    keep, so that DuckDB 1.x clients can open the published warehouse.
    """
    _clear_build_folder(settings)
    with duckdb.connect() as con:
        con.execute(
            "attach $path as build (storage_version $version)",
            {"path": str(settings.build_db), "version": STORAGE_VERSION},
        )
    build_record.begin(settings, run_id, build_record.FULL)
    return settings.build_db


def start_fiscal_years_build(settings: Settings, run_id: str) -> Path:
    """Like ``start_build``, but the build starts as a copy of the published warehouse.

    A refresh of some fiscal years then replaces only those years' budget lines in the copy; the
    published file itself is never written. Raises ``FileNotFoundError`` when nothing is
    published yet (a full refresh comes first).
    """
    _clear_build_folder(settings)
    meta = read_meta_build(settings.published_db)
    if meta is None:
        raise FileNotFoundError(
            f"no published warehouse at {settings.published_db} to add fiscal years to: run a "
            "full refresh (refresh_warehouse, `make run`) first"
        )
    partial = settings.build_db.with_suffix(".partial")
    clone_or_copy(settings.published_db, partial)
    os.replace(partial, settings.build_db)
    # The base build's check results still vouch for what this run leaves as it is; the run's
    # own results replace those of the steps it repeats (see the dbt and GX steps).
    for name in (DBT_RESULTS, GX_RESULTS):
        if (settings.reports_dir / name).is_file():
            shutil.copyfile(settings.reports_dir / name, settings.build_reports_dir / name)
    build_record.begin(settings, run_id, build_record.FISCAL_YEARS, meta["build_id"])
    return settings.build_db


def _clear_build_folder(settings: Settings) -> None:
    """Take the run lock, finish or clear what an earlier run left, start an empty landing."""
    hold_run_lock(settings)
    build_db = settings.build_db
    wait_until_unused(build_db)
    finish_interrupted_publish(settings)
    build_record.forget(settings)
    landing = settings.landing_db
    for leftover in (build_db, Path(f"{build_db}.wal"), landing, Path(f"{landing}.wal")):
        leftover.unlink(missing_ok=True)
    for folder in (
        settings.build_reports_dir,
        settings.build_export_dir,
        settings.build_dir / "gx",
        settings.duckdb_temp_dir,
    ):
        shutil.rmtree(folder, ignore_errors=True)
    settings.build_reports_dir.mkdir(parents=True)
    with duckdb.connect(str(landing)) as con:
        con.execute(LANDING_DDL)


def wait_until_unused(path: Path, timeout_s: float = 120.0) -> None:
    """Wait while another process holds DuckDB's write lock on ``path``.

    A ``kill -9`` of a run does not kill the dbt process it started; that one may write to the old
    build file for a little longer. Deleting the file under it would be harmless, but its
    write-ahead log (``<file>.wal``, opened by name) could land in the new build, so wait.
    """
    deadline = time.monotonic() + timeout_s
    while path.exists():
        try:
            with path.open("rb+") as handle:
                # DuckDB holds a POSIX record lock on its file while a process writes to it.
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EAGAIN):
                raise
        if time.monotonic() > deadline:
            raise StaleBuildBusyError(
                f"{path} is still open for writing by another process after {timeout_s:.0f} s "
                "(left over from a crashed run?). Stop that process (see `fuser -v "
                f"{path}`), then run again."
            )
        time.sleep(0.5)


def finish_interrupted_publish(settings: Settings) -> str | None:
    """Finish a publish (or rollback) that was killed after its switch; returns the build id of
    the history entry it added.

    What readers see is whole already; what may be missing is the build's history entry, and
    the previous build's folder is still there. Called by the next run (under the run lock)
    before it clears ``.build``. The published database is copied into the history only if it
    still has the sha256 recorded when it was staged; else the run says so (and goes on).
    """
    layout.ensure_layout(settings)
    layout.remove_retired(settings)
    folder = layout.current_folder(settings)
    warnings: list[str] = []
    added = None
    if folder is not None and (folder / layout.RECORD_FILE).exists():
        try:
            record = history.read_record(folder)
            kept = history.entries(settings)
            if not any(entry.build_id == record["build_id"] for entry in kept):
                added = history.add_entry(settings, folder).build_id
        except (history.CorruptBuildError, history.UnreadableEntryError) as error:
            warnings.append(f"not kept in history: {error}")
    warnings += history.tidy_and_warn(settings)
    for warning in warnings:
        log.warning(warning)
        progress.emit(f"WARNING {warning}")
    return added


def write_failed_build_report(
    settings: Settings, run_id: str | None, step_failures: list[tuple[str, str]]
) -> Path | None:
    """The report of a build that was not published, in the build's own reports folder.

    The published report (``warehouse/reports``) is left as it is: it belongs to the published
    build. A run that never started its build (refused by another run's lock) has no folder of
    its own: nothing is written (None), so the other run's folder and file are left alone.
    """
    record = build_record.read(settings)
    if record is not None and record["run_id"] != run_id:
        return None
    build = BuildFacts("failed", run_id, step_failures=list(step_failures))
    return write_report(settings.build_reports_dir, settings.build_db, build)
