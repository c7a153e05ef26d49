"""What ``data_raw/`` holds, by content: the sensor's way to notice new or changed files.

Modification times lie (a copy, a checkout or a restore changes them without changing a byte), so
the sensor compares content hashes. ``README.md`` is documentation, not input, and is left out;
the registry is input (a changed phase or unit changes the warehouse) and is counted.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from stat import S_ISLNK, S_ISREG

from pipelines.lib.budget_lines import LINES_FOLDER
from pipelines.lib.build_meta import read_meta_build
from pipelines.lib.checksums import file_sha256
from pipelines.lib.sources import REGISTRY_NAME

IGNORED = {"README.md"}


# name → [sha256, size, modification time (ns), inode]
FileStates = dict[str, list]


def raw_file_states(data_raw_dir: Path, known: FileStates | None = None) -> FileStates:
    """sha256, size, modification time and inode of every input file in ``data_raw_dir``.

    A file whose size, modification time and inode are those in ``known`` keeps its known sha256
    instead of being read again: the sensor looks every 30 s, and gigabytes of budget lines would
    otherwise be hashed each time. Any other file is hashed (a copy or a checkout changes the
    time, so its content is compared again; only content decides what changed).

    Symbolic links are never followed (a link could point at any file of the machine): a link,
    to a file or a folder, counts by where it points (its own ``lstat`` and target text), so
    adding or changing one still starts a run, and that run refuses it or, where the registry
    allows the link, reads it.
    """
    if not data_raw_dir.is_dir():
        return {}
    states: FileStates = {}
    # os.walk does not enter linked folders (followlinks=False); they are listed as links.
    for folder, folders, files in os.walk(data_raw_dir):
        base = Path(folder)
        folders[:] = [name for name in folders if not name.startswith(".")]
        for entry in [*files, *(name for name in folders if (base / name).is_symlink())]:
            path = base / entry
            if entry.startswith(".") or entry in IGNORED:
                continue
            stat = path.lstat()
            identity = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
            name = str(path.relative_to(data_raw_dir))
            if S_ISLNK(stat.st_mode):
                target = f"symbolic link to {os.readlink(path)}"
                states[name] = [hashlib.sha256(target.encode()).hexdigest(), *identity]
                continue
            if not S_ISREG(stat.st_mode):
                continue
            previous = (known or {}).get(name)
            digest = previous[0] if previous and previous[1:] == identity else file_sha256(path)
            states[name] = [digest, *identity]
    return dict(sorted(states.items()))


def fingerprint(hashes: dict[str, str]) -> str:
    """One hash for a set of files and their contents."""
    return hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()


def published_source_hashes(published_db: Path) -> dict[str, str] | None:
    """The raw files (name → sha256) the published warehouse was built from, if there is one."""
    meta = read_meta_build(published_db)
    if meta is None:
        return None
    return {item["file"]: item["sha256"] for item in json.loads(meta["raw_files"])}


def is_published(hashes: dict[str, str], published: dict[str, str] | None) -> bool:
    """Whether the published warehouse was built from exactly these source files.

    The registry is not among the published raw files; it is compared by the sensor's cursor.
    """
    sources = {name: digest for name, digest in hashes.items() if name != REGISTRY_NAME}
    return published is not None and sources == published


def changed_fiscal_years(
    previous: dict[str, str] | None, current: dict[str, str]
) -> list[int] | None:
    """The fiscal years whose line files changed, when nothing but line files changed."""
    if previous is None:
        return None
    changed = {
        name for name in previous.keys() | current.keys() if previous.get(name) != current.get(name)
    }
    years = set()
    for name in changed:
        parts = Path(name).parts
        if len(parts) < 3 or parts[0] != LINES_FOLDER or not parts[1].isdigit():
            return None
        years.add(int(parts[1]))
    return sorted(years) or None
