"""What a run says and where: the terminal's lines, the run's log, the published file's state."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipelines.core import progress
from pipelines.core.checksums import file_sha256
from pipelines.core.printable import printable
from pipelines.core.settings import Settings


def published_state(settings: Settings, published_before: tuple | None) -> str:
    """The published file after a failed run, against its identity before the run."""
    after = file_identity(settings.published_db)
    if published_before is None and after is None:
        return "not created (there is none yet)"
    if after == published_before:
        return f"unchanged (sha256 {file_sha256(settings.published_db)})"
    # never expected: say so loudly rather than hide it
    return f"CHANGED although the build failed ({published_before} -> {after})"


def nothing_published(settings: Settings, published_before: tuple | None) -> str:
    """The end of a failed run's line: what became of the published file."""
    state = published_state(settings, published_before)
    if state.startswith("CHANGED"):  # a fault after the rename: never hide it
        return f"The published file {settings.published_db} {state}."
    return f"Nothing was published: {settings.published_db} {state}."


def file_identity(path: Path) -> tuple[int, int, int, int] | None:
    """Which file ``path`` is and its state: (device, inode, size, mtime in ns), or None.

    The published file is only ever replaced by a rename (a new inode) and never written in
    place, so an unchanged identity means unchanged bytes, without hashing gigabytes twice."""
    if not path.exists():
        return None
    stat = path.stat()
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


@contextmanager
def output_to(log_path: Path) -> Iterator[None]:
    """Send everything Dagster, dbt and GX print (file descriptors 1 and 2) to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):  # a full disk: the terminal must come back
                sys.stdout.flush()
                sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


LOGS_KEPT = 10


def new_log_path(settings: Settings) -> Path:
    """``.build/logs/run-<UTC time>-<pid>.log``; only the newest ``LOGS_KEPT`` logs are kept."""
    logs = settings.build_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for old in sorted(logs.glob("run-*.log"))[: -(LOGS_KEPT - 1)]:
        old.unlink(missing_ok=True)
    return logs / f"run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"


def print_total(started: float) -> None:
    """The run's wall time since its process started, and how much of it the lines hold."""
    total = time.monotonic() - started
    shown = progress.accounted()
    print(
        f"done in {total:.1f} s; the lines above account for {shown:.1f} s "
        f"({100 * shown / total if total else 100:.0f} %)"
    )


def print_fault(line: str) -> int:
    """Print a fault's one line; the exit status of a run it stopped."""
    print(f"error: {printable(' '.join(line.split()))}", file=sys.stderr)
    return 1


def open_log(settings: Settings) -> Path:
    """The run's log in ``.build/logs``; in the temporary folder when that cannot be created."""
    try:
        path = new_log_path(settings)
        path.touch()
        return path
    except OSError:
        return temporary_log()


def write_trace(trace: str, log_path: Path | None) -> Path:
    """Append a trace to the run's log; where that fails (its disk is full), to a temporary one."""
    for path in (log_path, None):
        target = path or temporary_log()
        try:
            with target.open("a", encoding="utf-8") as log:
                log.write(trace + "\n")
            return target
        except OSError:
            continue
    return target


def temporary_log() -> Path:
    name = f"bnd-run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    return Path(tempfile.gettempdir()) / name
