"""Free space for publishing, checked before any of it is written.

Publishing writes three things besides the build itself: the exports and the reports (into
``.build``), and the history copy of the build folder, all but its CSV downloads (into
``history/``; ``history.NOT_KEPT``). A disk that fills halfway through must not leave a
half-published warehouse, so before ``finish_database`` writes anything the space all three need
is compared with what the filesystems holding them have free; a shortfall stops the publish
with one line naming the folder, the bytes needed and the bytes free. The check runs again, with
what staging really wrote, before the reports and exports join the database's history copy
(made, and counted, first).

Before staging, the exports and reports are not written yet: the published build's are taken as
their size (a refresh rarely changes it much), and the build's database size where nothing is
published yet (a guess that is short where the budget lines' CSV downloads are large: the check
after staging then counts what was written, and a disk that fills while the exports are written
stops the publish before its switch like any other). The history copy is counted in full: a
reflink would cost nothing, but a filesystem does not say in advance whether it will make one.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from pipelines.core.faults import folder_bytes, free_bytes
from pipelines.core.settings import PUBLISHED_NAME, Settings
from pipelines.lifecycle.excel_export import CSV_DIR
from pipelines.lifecycle.published_layout import EXPORT

# Besides the files counted, before staging: what the estimates may miss (the database grows
# when its metadata and comments are written; this build's exports and reports may be larger
# than the published build's), build.json, the manifest and folders' entries.
MARGIN_BYTES = 8 * 1024 * 1024
# After staging the sizes are known: the margin is for build.json, the manifest and entries.
MARGIN_AFTER_STAGING_BYTES = 1024 * 1024
SHORTFALL = "not enough free space"


class NotEnoughSpaceError(OSError):
    """Publishing would not fit: ``str()`` is the one line to print (the errno is ENOSPC)."""

    def __init__(self, folder: Path, needed: int, free: int, what: str) -> None:
        super().__init__(
            errno.ENOSPC,
            f"{SHORTFALL} in {folder} to publish: {what} need {needed:,} bytes, "
            f"{free:,} bytes are free there",
        )
        self.folder, self.needed, self.free = folder, needed, free


def _size(path: Path) -> int:
    try:
        return path.stat().st_blocks * 512 if path.is_file() else folder_bytes(path)
    except OSError:
        return 0


def _device(path: Path) -> int:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path.stat().st_dev


def needs_before_staging(settings: Settings) -> dict[Path, tuple[int, str]]:
    """Bytes the publish will write, by the folder that receives them (see the module)."""
    build = _size(settings.build_db)
    wal = _size(Path(f"{settings.build_db}.wal"))
    published = settings.published_db.exists()
    exports = _size(settings.export_dir) if published else build
    kept_exports = exports - _size(settings.export_dir / CSV_DIR) if published else build
    reports = _size(settings.reports_dir) if published else 0
    return {
        settings.build_dir: (wal + exports + reports, "its exports and report"),
        settings.history_dir: (
            build + wal + kept_exports + reports,
            f"a history copy of the {build + wal:,}-byte build with them",
        ),
    }


def needs_after_staging(settings: Settings, folder: Path) -> dict[Path, tuple[int, str]]:
    """Bytes the history copy of the assembled build ``folder`` will still write: all but its
    database, which is in the history already (``history.keep_database``), and its CSV
    downloads, which the history does not keep."""
    needed = _size(folder) - _size(folder / PUBLISHED_NAME) - _size(folder / EXPORT / CSV_DIR)
    return {
        settings.history_dir: (needed, f"a history copy of build {folder.name}"),
    }


def check_space(needs: dict[Path, tuple[int, str]], margin: int = MARGIN_BYTES) -> None:
    """Raise ``NotEnoughSpaceError`` for the first filesystem whose free space is short of
    what the folders on it need together, with ``margin``."""
    by_device: dict[int, list[tuple[Path, int, str]]] = {}
    for folder, (needed, what) in needs.items():
        by_device.setdefault(_device(folder), []).append((folder, needed, what))
    for folders in by_device.values():
        needed = sum(count for _, count, _ in folders) + margin
        free = free_bytes(folders[0][0])
        if free is not None and free < needed:
            what = " and ".join(text for _, _, text in folders)
            folder = Path(os.path.commonpath([str(path) for path, _, _ in folders]))
            raise NotEnoughSpaceError(folder, needed, free, what)
