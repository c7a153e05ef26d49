"""File operations the lifecycle needs durable and safe: reflink-or-copy, never a hard link;
fsync of files and folders before a rename makes them visible."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

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
