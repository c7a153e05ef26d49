"""The build file's life: one writer per warehouse, a fresh file per run, safe clean-up.

BI tools read ``warehouse/bnd.duckdb``. A run never writes to it: it builds into a new
``warehouse/.build/bnd.duckdb`` and only the publish step (``lib.publishing``) renames an audited
build over the published file.

One run at a time builds a warehouse: the run holds an exclusive lock on
``warehouse/.build/run.lock`` from ingest to publish (the job runs in one process, so the lock is
held across steps; the kernel drops it if the process dies, even by ``kill -9``). Whatever a
crashed run left in ``.build`` is therefore stale, and the next run removes it; but not while a
process it started (a dbt that outlived its parent) still writes to the old file.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import duckdb

from pipelines.lib import build_record
from pipelines.lib.budget_lines import LANDING_DDL
from pipelines.lib.build_meta import read_meta_build
from pipelines.lib.dq_report import DBT_RESULTS, GX_RESULTS
from pipelines.lib.settings import STORAGE_VERSION, Settings


class RunLockedError(RuntimeError):
    """Another run is building into the same warehouse folder."""


class StaleBuildBusyError(RuntimeError):
    """A process left over from a crashed run still writes to the old build file."""


# Locks this process holds, by lock-file path: held from ingest until publish or the run's end.
_held: dict[Path, TextIO] = {}


def _lock_path(settings: Settings) -> Path:
    return settings.build_dir / "run.lock"


def hold_run_lock(settings: Settings) -> None:
    """Take the warehouse's run lock for this process (no-op when it already holds it)."""
    path = _lock_path(settings)
    if path in _held:
        return
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")  # not "w": a refused run must not wipe the holder's pid
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise RunLockedError(
            f"another run (process {holder}) is building {settings.warehouse_dir} (lock {path}); "
            "wait for it to finish, then run again"
        ) from error
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _held[path] = handle


def release_run_lock(settings: Settings) -> None:
    handle = _held.pop(_lock_path(settings), None)
    if handle is not None:
        handle.close()


def holds_run_lock(settings: Settings) -> bool:
    return _lock_path(settings) in _held


@contextmanager
def run_lock(settings: Settings) -> Iterator[None]:
    """Hold the run lock for a block (a whole in-process run, or a rollback)."""
    hold_run_lock(settings)
    try:
        yield
    finally:
        release_run_lock(settings)


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
    from pipelines.lib.publishing import finish_interrupted_publish  # (it imports this module)

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


# ioctl FICLONE (linux/fs.h): the target shares the source's blocks copy-on-write (btrfs, XFS,
# bcachefs, ZFS 2.2+); writing either file later never changes the other.
FICLONE = 0x40049409


def clone_or_copy(source: str | Path, target: str | Path) -> None:
    """A reflink of ``source`` at ``target`` where the filesystem can make one, else a real copy;
    with the source's permissions and times. Never a hard link: a file written in place (a client
    that opens the published database read-write) must not change its copy in the history."""
    with open(source, "rb") as reader, open(target, "wb") as writer:
        try:
            fcntl.ioctl(writer.fileno(), FICLONE, reader.fileno())
        except OSError:  # another filesystem, or one without reflinks (ext4, tmpfs)
            shutil.copyfileobj(reader, writer, 1 << 22)
    shutil.copystat(source, target)


def copy_tree(source: Path, target: Path) -> None:
    """Copy a folder file by file with ``clone_or_copy`` (symbolic links are copied as links)."""
    shutil.copytree(source, target, symlinks=True, copy_function=clone_or_copy)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under ``folder`` to disk, so a rename of it is durable."""
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                os.fsync(handle.fileno())
        fsync_directory(Path(root))


def fsync_directory(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
