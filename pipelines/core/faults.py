"""Faults of the machine rather than of the data, each told in one line with its remedy.

A full disk, a read-only or missing folder, or a lock held by another run stops ``make run`` with
one line that names the folder, says what to do and that nothing was published; the full trace
goes to the run's log. The published warehouse is never written by a build (it is replaced by a
rename only after every check passed), so "nothing was published" is what a fault always means.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from pipelines.core.settings import Settings

# errno → what it makes of the folder, as the operating system words it in error messages.
FAULT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM)
_QUOTED_PATH = re.compile(r"""["'](/[^"']+)["']""")


class RunFault(Exception):
    """A fault that stops a run before or while it builds; ``str()`` is the one line to print."""


def fault_errno(text: str) -> int | None:
    """The fault an error's text reports (DuckDB, dbt and Python all quote ``strerror``)."""
    for code in FAULT_ERRNOS:
        if os.strerror(code) in text or f"[Errno {code}]" in text:
            return code
    return None


def error_errno(error: BaseException) -> int | None:
    """The fault an exception or one of its causes reports, by errno or by its text."""
    seen = 0
    current: BaseException | None = error
    while current is not None and seen < 20:
        if isinstance(current, OSError) and current.errno in FAULT_ERRNOS:
            return current.errno
        code = fault_errno(str(current))
        if code is not None:
            return code
        current = current.__cause__ or current.__context__
        seen += 1
    return None


def path_in(text: str) -> Path | None:
    """The first absolute path quoted in an error's text."""
    match = _QUOTED_PATH.search(text)
    return Path(match[1]) if match else None


def mount_point(path: Path) -> Path:
    """The mount point of the filesystem holding ``path`` (or its nearest existing parent)."""
    path = _existing(path)
    device = path.stat().st_dev
    while path.parent != path and path.parent.stat().st_dev == device:
        path = path.parent
    return path


def free_bytes(path: Path) -> int | None:
    try:
        stat = os.statvfs(_existing(path))
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder`` (what a build wrote)."""
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                continue
    return total


def _existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def megabytes(count: int) -> str:
    return f"{count / 1_000_000:,.1f} MB"


def fault_line(
    code: int,
    settings: Settings,
    nothing_published: str,
    path: Path | None = None,
    free_at_start: int | None = None,
) -> str:
    """One line for a full, read-only or unwritable disk at ``path`` (default: the build folder)."""
    where = path or settings.build_dir
    folder = where if where.is_dir() else where.parent
    mount = mount_point(folder)
    if code in (errno.ENOSPC, errno.EDQUOT):
        full = "no space left" if code == errno.ENOSPC else "the disk quota is used up"
        written = folder_bytes(settings.build_dir)
        needed = f"the build had written {megabytes(written)} into {settings.build_dir}"
        if free_at_start is not None:
            needed += f" of the {megabytes(free_at_start)} free when it started"
        return (
            f"{full} on the filesystem of {folder} (mounted at {mount}): {needed}, and needed "
            "more; free space there or set BND_WAREHOUSE_DIR to a folder on a larger disk, then "
            f"run again. {nothing_published}"
        )
    if code == errno.EROFS:
        return (
            f"{folder} is on a read-only filesystem (mounted at {mount}): remount it read-write "
            f"or set BND_WAREHOUSE_DIR to a writable folder, then run again. {nothing_published}"
        )
    return (
        f"{folder} is not writable by this user ({os.strerror(code)}): give the user write "
        "access or set BND_WAREHOUSE_DIR to a writable folder, then run again. "
        f"{nothing_published}"
    )


def check_folders(settings: Settings) -> None:
    """Before a run: the raw folder exists, and the warehouse folder exists or can be created.

    A missing warehouse folder is created when its parent exists (a first run); a missing parent
    is more likely an unmounted disk or a mistyped ``BND_WAREHOUSE_DIR``, so nothing is created.
    """
    raw = settings.data_raw_dir
    if not raw.is_dir():
        raise RunFault(
            f"the raw folder {raw} does not exist: create it holding sources.yml and the raw "
            "files, or set BND_DATA_RAW to the folder that holds them. Nothing was built or "
            "published."
        )
    warehouse = settings.warehouse_dir
    if warehouse.is_dir():
        return
    if warehouse.exists():
        raise RunFault(
            f"the warehouse folder {warehouse} is a file, not a folder: set BND_WAREHOUSE_DIR to "
            "a folder. Nothing was built or published."
        )
    if not warehouse.parent.is_dir():
        raise RunFault(
            f"the warehouse folder {warehouse} does not exist, nor does {warehouse.parent}: "
            f"create it (mkdir -p {warehouse}) or set BND_WAREHOUSE_DIR to an existing folder. "
            "Nothing was built or published."
        )
