"""``make rollback``: publish a kept build again, checked against its sha256."""

from __future__ import annotations

import errno
import sys
import traceback
from pathlib import Path

from pipelines.cli.output import print_fault, write_trace
from pipelines.core.faults import error_errno, fault_line
from pipelines.core.printable import printable
from pipelines.core.settings import Settings
from pipelines.lifecycle.history import RollbackError
from pipelines.lifecycle.history import rollback as roll_back
from pipelines.lifecycle.run_lock import RunLockedError


def rollback(to_build_id: str | None = None) -> int:
    """Publish the previous good kept build again (or the one named), atomically.

    Each kept build is checked against its recorded sha256 first: a corrupt one named with
    ``--to`` is refused (exit 1, one line naming it, nothing published); without ``--to`` corrupt
    or unreadable entries are skipped, one line each, for the newest good earlier build."""
    settings = Settings.from_env()
    try:
        rolled_back = roll_back(settings, to_build_id)
    except (RollbackError, RunLockedError) as error:
        print(f"error: {printable(error)}; nothing was published", file=sys.stderr)
        return 1
    except Exception as error:  # a fault of the machine, or anything else: one line, no trace
        return print_fault(_failure_line(settings, error))
    for line in rolled_back.skipped:
        print(line)
    entry = rolled_back.entry
    meta = entry.record["meta_build"]
    print(f"rolled back: {settings.published_db} is now build {entry.build_id}")
    print(f"    built {meta.get('finished_at_utc')} UTC from code {meta.get('code_version')}")
    print(f"    sha256 {entry.sha256} (checked)")
    print(f"history: {settings.history_dir / 'manifest.json'}")
    return 0


def _failure_line(settings: Settings, error: Exception) -> str:
    """One line for a rollback that failed before its switch (it changed nothing live); the
    trace goes to a log."""
    log = write_trace("".join(traceback.format_exception(error)), None)
    unchanged = f"Nothing was rolled back: {settings.published_db} is unchanged."
    code = error_errno(error)
    where = Path(error.filename) if isinstance(error, OSError) and error.filename else None
    if code is None:
        line = f"the rollback failed: {type(error).__name__}: {error}. {unchanged}"
    elif code in (errno.ENOSPC, errno.EDQUOT):
        folder = where.parent if where is not None else settings.warehouse_dir
        line = (
            f"no space left on the filesystem of {folder} to copy the kept build back: free "
            f"space there, then run `make rollback` again. {unchanged}"
        )
    else:
        line = fault_line(code, settings, unchanged, where)
    return f"{line} The full trace: {log}."
