"""One run at a time builds a warehouse: the run lock.

A run holds an exclusive ``flock`` on ``warehouse/.build/run.lock`` from the moment ``make run``
starts (or, for a run started in the Dagster UI, from its ingest step) until it has published or
failed. The job runs in one process, so the lock is held across its steps; the kernel drops it if
the process dies, even by ``kill -9``, so whatever a crashed run left in ``.build`` is stale and
the next run clears it (``lifecycle.build``). Rollback holds it too. ``hold_run_lock`` is a no-op
for a process that holds it already, so each step may ask for it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from pipelines.core.settings import Settings


class RunLockedError(RuntimeError):
    """Another run is building into the same warehouse folder."""


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
