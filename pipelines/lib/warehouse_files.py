"""The build file's life: a fresh file per run, a lock against two runs, an atomic publish.

BI tools read ``warehouse/bnd.duckdb``. A run never writes to it: it builds into
``warehouse/.build/bnd.duckdb`` and, once every blocking check has passed, renames that file over
the published one (``os.replace`` on the same filesystem is atomic), so a reader sees either the
previous build or the new one and never a half-built state.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.lib import build_record
from pipelines.lib.settings import Settings


class RunLockedError(RuntimeError):
    """Another run is building into the same warehouse folder."""


@contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    """Hold an exclusive lock on the warehouse folder for the whole run (released on crash too)."""
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    lock_path = settings.build_dir / "run.lock"
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise RunLockedError(
                f"another run is building {settings.warehouse_dir} (lock {lock_path}); "
                "wait for it to finish"
            ) from error
        yield


def start_build(settings: Settings, run_id: str) -> Path:
    """Remove what an earlier (failed or crashed) build left; return the fresh build file path."""
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    build_record.forget(settings)
    for leftover in (settings.build_db, Path(f"{settings.build_db}.wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(settings.build_reports_dir, ignore_errors=True)
    settings.build_reports_dir.mkdir(parents=True)
    build_record.begin(settings, run_id)
    return settings.build_db


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def publish_build(settings: Settings, run_id: str) -> Path:
    """Make the audited build the published warehouse, and its reports the published reports.

    Refuses (``PublishRefusedError``) unless ingest, dbt and the audit all passed in ``run_id``.
    """
    build_record.require_complete(settings, run_id)
    build_db = settings.build_db
    if not build_db.is_file():
        raise FileNotFoundError(f"no build to publish at {build_db}")
    # Fold the write-ahead log into the file so that the renamed file is complete on its own.
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint")
    wal = Path(f"{build_db}.wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after a checkpoint; not publishing")
    os.replace(build_db, settings.published_db)
    build_record.forget(settings)
    _replace_directory(settings.build_reports_dir, settings.reports_dir)
    return settings.published_db


def _replace_directory(new: Path, current: Path) -> None:
    """Swap a folder in with two renames; the old one is removed only after the new one is in."""
    if not new.exists():
        return
    retired = current.with_name(f".{current.name}.retired")
    shutil.rmtree(retired, ignore_errors=True)
    if current.exists():
        os.replace(current, retired)
    os.replace(new, current)
    shutil.rmtree(retired, ignore_errors=True)
