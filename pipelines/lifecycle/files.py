"""File operations the lifecycle needs durable and safe: reflink-or-copy, never a hard link;
fsync of files and folders before a rename makes them visible."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# ioctl FICLONE (linux/fs.h): the target shares the source's blocks copy-on-write (btrfs, XFS,
# bcachefs, ZFS 2.2+); writing either file later never changes the other.
FICLONE = 0x40049409


def clone_or_copy(source: str | Path, target: str | Path) -> None:
    """A reflink of ``source`` at ``target`` where the filesystem can make one, else a real copy;
    with the source's permissions and times. Never a hard link: a file written in place (a client
    that opens the published database read-write) must not change its copy in the history."""
    with _naming(target), open(source, "rb") as reader, open(target, "wb") as writer:
        if not _cloned(reader, writer):
            _copy_in_kernel(reader, writer)
    shutil.copystat(source, target)


def _cloned(reader: BinaryIO, writer: BinaryIO) -> bool:
    """Whether ``writer`` became a reflink of ``reader`` (not on ext4 or tmpfs, among others)."""
    try:
        fcntl.ioctl(writer.fileno(), FICLONE, reader.fileno())
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _naming(target: str | Path) -> Iterator[None]:
    """An ``OSError`` of a write that names no file (a full disk) names ``target``."""
    try:
        yield
    except OSError as error:
        if error.filename is not None or error.errno is None:
            raise
        raise OSError(error.errno, error.strerror, str(target)) from error


def _copy_in_kernel(reader: BinaryIO, writer: BinaryIO) -> None:
    """Copy ``reader`` into ``writer`` by ``copy_file_range`` (the kernel copies, no bytes pass
    through Python: 1.3 GB of exports in 0.6 s against 1.7-3.9 s on this project's ext4 disk),
    or through a buffer where the kernel cannot (another kernel, filesystems it cannot span)."""
    size, copied = os.fstat(reader.fileno()).st_size, 0
    try:
        while copied < size:
            count = os.copy_file_range(reader.fileno(), writer.fileno(), size - copied)
            if count == 0:  # the end came early: the file shrank, or the kernel copies none
                if copied == 0:
                    shutil.copyfileobj(reader, writer, 1 << 22)
                return
            copied += count
    except OSError:
        if copied:
            raise  # half copied by the kernel: not one to finish another way
        shutil.copyfileobj(reader, writer, 1 << 22)


def copy_with_sha256(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target`` (flushed to disk) and return the sha256 of the bytes copied,
    reading ``source`` once: each block is hashed and written from the same buffer, so the
    copy holds exactly the bytes the digest is of. A reflink where the filesystem makes one
    (the source is then read once, for the digest only); never a hard link."""
    digest = hashlib.sha256()
    with _naming(target), open(source, "rb") as reader, open(target, "wb") as writer:
        cloned = _cloned(reader, writer)
        while block := reader.read(1 << 22):
            digest.update(block)
            if not cloned:
                writer.write(block)
        writer.flush()
        os.fsync(writer.fileno())
    shutil.copystat(source, target)
    return digest.hexdigest()


def copy_tree(source: Path, target: Path, leave_out: tuple[str, ...] = ()) -> None:
    """Copy a folder file by file with ``clone_or_copy`` (symbolic links are copied as links),
    but for the entries ``leave_out`` names by their path in ``source`` (``export/csv``);
    ``target`` may exist already."""

    def ignored(folder: str, names: list[str]) -> list[str]:
        inside = Path(folder).relative_to(source)
        return [name for name in names if (inside / name).as_posix() in leave_out]

    shutil.copytree(
        source,
        target,
        symlinks=True,
        copy_function=clone_or_copy,
        ignore=ignored,
        dirs_exist_ok=True,
    )


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
