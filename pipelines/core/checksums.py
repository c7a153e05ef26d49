"""sha256 of a file, read in blocks (raw files, published builds)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def stat_identity(stat: os.stat_result) -> list[int]:
    """Size, modification time (ns) and inode: what changes when a file is written or replaced."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def file_identity(path: Path) -> list[int]:
    """``stat_identity`` of ``path`` itself (a link is not followed)."""
    return stat_identity(path.lstat())


def file_sha256_unless_known(path: Path, known: Sequence | None) -> str:
    """``known[0]`` (a sha256 recorded with ``known[1:]``, the file's identity then) while the
    file's identity is unchanged; else the file's sha256, read again."""
    if known and list(known[1:]) == file_identity(path):
        return str(known[0])
    return file_sha256(path)
