"""``warehouse/history/``: the last published builds, their manifest, and rollback.

Each kept build is a folder ``history/<build_id>/`` holding its database (``bnd.duckdb``), its
reports and exports, and ``build.json`` (its ``marts.meta_build`` row, the sha256 of its database
and when it was published). The files are reflinks or real copies of the published ones, never
hard links: a published database written in place (a client that opened it read-write) leaves
its copy here as it was. The exports' CSV downloads (``export/csv/``) are not kept: they are the
Parquet exports in spreadsheet form, and a rollback writes them again from the entry's Parquet
files (``excel_export.write_csv_from_parquet``). At 10 M lines they are 1.3 GB against 31 MB of
Parquet, and copying them was most of a publish (bench, 2 cores: 5.4 s of 7.7 s).
``history/manifest.json`` lists the kept builds newest first, names the one published now, and
lists entries it skipped as unreadable.

A kept build is published again only after the sha256 of its database matches its record: a
corrupt entry is refused by name (``make rollback TO=…``) or skipped for the next good one
(``make rollback``). An entry whose ``build.json`` is not JSON or lacks fields, or whose database
is missing, is reported by path and skipped; it never stops a run or a rollback.

The manifest is rewritten from the folders after every publish and rollback, and which build is
current is decided by the build id in the published file, so a crash between two of these steps
leaves nothing inconsistent for long: the next publish or rollback writes the truth.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import HISTORY_KEPT, PUBLISHED_NAME, Settings
from pipelines.lifecycle import published_layout as layout
from pipelines.lifecycle.build_meta import read_meta_build
from pipelines.lifecycle.excel_export import CSV_DIR, write_csv_from_parquet
from pipelines.lifecycle.exports import export_config
from pipelines.lifecycle.files import copy_tree, copy_with_sha256, fsync_tree
from pipelines.lifecycle.rollback_mark import Rollback, mark_rolled_back
from pipelines.lifecycle.run_lock import run_lock

MANIFEST = "manifest.json"
ENTRY_FILE = layout.RECORD_FILE
# What a record must hold, with the type of each value.
RECORD_FIELDS = {"build_id": str, "sha256": str, "published_at_utc": str, "meta_build": dict}
SHA256 = re.compile(r"[0-9a-f]{64}")
# What a history entry leaves out of its build's folder: written again on rollback.
NOT_KEPT = (f"{layout.EXPORT}/{CSV_DIR}",)


class RollbackError(RuntimeError):
    """There is no (good) build to roll back to; nothing was published."""


class UnreadableEntryError(ValueError):
    """A kept build's ``build.json`` cannot be used, or its database is missing."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = path, problem


class CorruptBuildError(ValueError):
    """A copy of a build's database does not have the sha256 recorded for it."""

    def __init__(self, database: Path, actual: str, record: Path, recorded: str) -> None:
        super().__init__(
            f"{database}: sha256 {actual} does not match {recorded} recorded in {record}"
        )
        self.database = database


@dataclass(frozen=True)
class Entry:
    build_id: str
    path: Path
    record: dict[str, Any]

    @property
    def sha256(self) -> str:
        return self.record["sha256"]

    @property
    def database(self) -> Path:
        return self.path / PUBLISHED_NAME


@dataclass(frozen=True)
class RolledBack:
    """The build a rollback published, and the kept builds it skipped (one line each)."""

    entry: Entry
    skipped: list[str] = field(default_factory=list)


def read_record(folder: Path) -> dict[str, Any]:
    """``folder/build.json``, checked; raises ``UnreadableEntryError`` naming what is wrong."""
    path = folder / ENTRY_FILE
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise UnreadableEntryError(path, "missing") from error
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise UnreadableEntryError(path, f"not JSON ({error.msg} at {where})") from error
    except (OSError, UnicodeDecodeError) as error:
        raise UnreadableEntryError(path, f"unreadable ({error})") from error
    if not isinstance(record, dict):
        raise UnreadableEntryError(path, "expected a JSON object")
    wrong = [name for name, kind in RECORD_FIELDS.items() if not isinstance(record.get(name), kind)]
    if wrong:
        raise UnreadableEntryError(path, f"lacks {', '.join(wrong)} (or has the wrong type)")
    if not SHA256.fullmatch(record["sha256"]):
        raise UnreadableEntryError(path, f"sha256 is not 64 hex digits: {record['sha256']!r}")
    if not (folder / PUBLISHED_NAME).is_file():
        raise UnreadableEntryError(folder / PUBLISHED_NAME, "missing")
    return record


def verify_copy(copy: Path, original: Path, recorded: str) -> None:
    """Raise ``CorruptBuildError`` (naming ``original``, the file ``copy`` was made from) unless
    ``copy`` has the sha256 ``recorded`` in ``original``'s folder. The copy is what gets
    published or kept, so it is the copy that is checked."""
    actual = file_sha256(copy)
    if actual != recorded:
        raise CorruptBuildError(original, actual, original.parent / ENTRY_FILE, recorded)


@dataclass(frozen=True)
class KeptDatabase:
    """A build's database copied into ``history/.<build_id>.partial/`` by ``keep_database``,
    with the sha256 of the bytes copied."""

    build_id: str
    partial: Path
    sha256: str

    def discard(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)


def partial_entry(settings: Settings, build_id: str) -> Path:
    """Where a build's history copy is made, under a dot name (``tidy`` removes those a crash
    left), until ``commit_entry`` names it ``history/<build_id>``."""
    return settings.history_dir / f".{build_id}.partial"


def keep_database(settings: Settings, build_id: str, database: Path) -> KeptDatabase:
    """Copy a finished build's database into ``history/.<build_id>.partial/`` and hash it in
    the same pass (``files.copy_with_sha256``): the file is read once for both its sha256 (the
    one ``build.json`` records) and its history copy, which is checked by construction, being
    written from the very blocks hashed. Nothing is left behind when the copy fails."""
    partial = partial_entry(settings, build_id)
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
        digest = copy_with_sha256(database, partial / PUBLISHED_NAME)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return KeptDatabase(build_id, partial, digest)


@dataclass(frozen=True)
class StagedEntry:
    """A build's copy, checked and on disk under a dot name, waiting for its publish to become
    ``history/<build_id>`` by a rename (``commit_entry``), or to be dropped (``drop_entry``)."""

    build_id: str
    partial: Path
    record: dict[str, Any]


def stage_entry(
    settings: Settings, folder: Path, database: KeptDatabase | None = None
) -> StagedEntry:
    """Copy a build's folder (``builds/<id>``) to ``history/.<build_id>.partial``, checked
    against the sha256 recorded when it was staged, and flushed to disk. This is the part of
    keeping a build that can fail (a full disk, a bad copy): publishing does it before its
    switch, so a failure here leaves the published build as it was.

    With ``database`` (its copy made when the build was staged, ``keep_database``) the rest of
    the folder joins that copy; the copy is checked by the digest of the pass that wrote it."""
    record = read_record(folder)
    build_id = record["build_id"]
    partial = partial_entry(settings, build_id)
    if database is None:
        shutil.rmtree(partial, ignore_errors=True)
    elif (database.build_id, database.partial) != (build_id, partial):
        raise ValueError(f"{database.partial} is not the history copy of {folder}")
    try:
        if database is None:
            settings.history_dir.mkdir(parents=True, exist_ok=True)
            copy_tree(folder, partial, leave_out=NOT_KEPT)
            verify_copy(partial / PUBLISHED_NAME, folder / PUBLISHED_NAME, record["sha256"])
        else:
            copy_tree(folder, partial, leave_out=(PUBLISHED_NAME, *NOT_KEPT))
            if database.sha256 != record["sha256"]:
                raise CorruptBuildError(
                    folder / PUBLISHED_NAME, database.sha256, folder / ENTRY_FILE, record["sha256"]
                )
        fsync_tree(partial)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return StagedEntry(build_id, partial, record)


def commit_entry(settings: Settings, staged: StagedEntry) -> Entry:
    """Give a staged copy its name ``history/<build_id>``: renames only, no data written."""
    target = settings.history_dir / staged.build_id
    if target.exists():  # kept already (an earlier attempt of this publish): the copy replaces it
        retired = settings.history_dir / f".{staged.build_id}.retired"
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(target, retired)
        shutil.rmtree(retired, ignore_errors=True)
    os.replace(staged.partial, target)
    return Entry(staged.build_id, target, staged.record)


def drop_entry(staged: StagedEntry) -> None:
    shutil.rmtree(staged.partial, ignore_errors=True)


def add_entry(settings: Settings, folder: Path) -> Entry:
    """Copy a published build's folder (``builds/<id>``) into ``history/<build_id>``, whole or
    not at all, and only if the copy's database has the sha256 recorded when it was staged."""
    return commit_entry(settings, stage_entry(settings, folder))


def scan(settings: Settings) -> tuple[list[Entry], list[UnreadableEntryError]]:
    """Usable entries, newest first, and the entries that cannot be used (folders being written
    start with a dot and are neither)."""
    found, unreadable = [], []
    if settings.history_dir.is_dir():
        for folder in sorted(settings.history_dir.iterdir()):
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            try:
                record = read_record(folder)
            except UnreadableEntryError as error:
                unreadable.append(error)
                continue
            found.append(Entry(record["build_id"], folder, record))
    found.sort(key=lambda entry: entry.record["published_at_utc"], reverse=True)
    return found, unreadable


def entries(settings: Settings) -> list[Entry]:
    """Usable entries, newest first."""
    return scan(settings)[0]


def current_entry(settings: Settings, kept: list[Entry]) -> Entry | None:
    """The kept build that is published now: by the build id in the published file's
    ``marts.meta_build`` (a client that opened it read-write may have changed its bytes), else
    by the record of the published folder, else by sha256."""
    if not settings.published_db.exists():
        return None
    build_ids = [published_build_id(settings.published_db)]
    folder = layout.current_folder(settings)
    if folder is not None:
        with contextlib.suppress(UnreadableEntryError):
            build_ids.append(read_record(folder)["build_id"])
    for build_id in build_ids:
        by_id = next((entry for entry in kept if entry.build_id == build_id), None)
        if by_id is not None:
            return by_id
    published = file_sha256(settings.published_db)
    return next((entry for entry in kept if entry.sha256 == published), None)


def published_build_id(published_db: Path) -> str | None:
    meta = read_meta_build(published_db)
    return meta["build_id"] if meta else None


def tidy(settings: Settings, kept_count: int = HISTORY_KEPT) -> dict[str, Any]:
    """Keep the newest ``kept_count`` entries (and the published one), drop partial copies left
    by a crash, and rewrite the manifest. Unreadable entries are left as they are (to look
    into) and listed under ``skipped``. Returns the manifest."""
    for leftover in settings.history_dir.glob(".*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
    kept, unreadable = scan(settings)
    current = current_entry(settings, kept)
    for entry in kept[kept_count:]:
        if entry != current:
            shutil.rmtree(entry.path, ignore_errors=True)
    kept = kept[:kept_count] + ([current] if current and current not in kept[:kept_count] else [])
    # Paths relative to the warehouse folder: the manifest names no path of the build machine.
    manifest = {
        "published": PUBLISHED_NAME,
        "current_build_id": current.build_id if current else None,
        "kept": kept_count,
        "builds": [
            {**entry.record, "is_current": entry == current, "folder": entry.path.name}
            for entry in kept
        ],
        "skipped": [
            {
                "path": error.path.relative_to(settings.warehouse_dir).as_posix(),
                "problem": error.problem,
            }
            for error in unreadable
        ],
    }
    settings.history_dir.mkdir(parents=True, exist_ok=True)
    temporary = settings.history_dir / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(temporary, settings.history_dir / MANIFEST)
    return manifest


def tidy_and_warn(settings: Settings) -> list[str]:
    """``tidy``, and one warning line per unreadable entry it skipped (naming its path)."""
    manifest = tidy(settings)
    return [
        f"history entry skipped: {settings.warehouse_dir / skipped['path']}: {skipped['problem']}"
        for skipped in manifest["skipped"]
    ]


def restore(settings: Settings, entry: Entry) -> Path:
    """Publish a kept build again: copy its folder into ``builds/``, check the copy's sha256
    against the record (``CorruptBuildError`` otherwise, and nothing is published), write the
    CSV downloads the entry does not keep from its Parquet exports, mark the copy as rolled back
    (``rollback_mark``), then switch ``current`` to it. Returns the published folder."""
    layout.ensure_layout(settings)
    replaced = published_build_id(settings.published_db) if settings.published_db.exists() else None
    partial = layout.partial_folder(settings, entry.build_id)
    shutil.rmtree(partial)
    try:
        copy_tree(entry.path, partial)
        verify_copy(partial / PUBLISHED_NAME, entry.database, entry.sha256)
        _write_csv_downloads(settings, entry, partial / layout.EXPORT)
        now = datetime.now(UTC).replace(tzinfo=None)
        mark_rolled_back(partial, Rollback(entry.build_id, now, replaced), settings.duckdb_config())
    except (CorruptBuildError, OSError, RollbackError):
        shutil.rmtree(partial, ignore_errors=True)
        raise
    except duckdb.Error as error:
        shutil.rmtree(partial, ignore_errors=True)
        raise RollbackError(
            f"not rolling back to {entry.build_id}: its database could not be marked as rolled "
            f"back ({error})"
        ) from error
    folder = layout.commit_folder(settings, partial, entry.build_id)
    # The build replaced by the last publish goes now (its readers had that long), not earlier:
    # a rollback that publishes nothing changes nothing.
    layout.remove_retired(settings, about_to_publish=folder)
    layout.switch_to(settings, folder)
    return folder


def _write_csv_downloads(settings: Settings, entry: Entry, export_dir: Path) -> None:
    """The CSV downloads of a restored build, from its Parquet exports (``NOT_KEPT``); an entry
    kept before they were left out has them already."""
    if not export_dir.is_dir() or (export_dir / CSV_DIR).exists():
        return
    try:
        write_csv_from_parquet(export_dir, export_config(settings.duckdb_config()))
    except duckdb.Error as error:
        raise RollbackError(
            f"not rolling back to {entry.build_id}: its CSV downloads could not be written from "
            f"its Parquet exports in {entry.path / layout.EXPORT} ({error})"
        ) from error


def rollback(settings: Settings, to_build_id: str | None = None) -> RolledBack:
    """Publish the newest good build before the current one (or ``to_build_id``) again.

    A kept build whose database does not match its sha256, or whose record is unreadable, is
    skipped (and named in ``skipped``); named with ``to_build_id``, it is refused with a
    ``RollbackError``. Holds the run lock, so it never interleaves with a refresh publishing.
    """
    with run_lock(settings):
        kept, unreadable = scan(settings)
        skipped = [f"skipped {error}" for error in unreadable]
        if to_build_id is not None:
            target = next((entry for entry in kept if entry.build_id == to_build_id), None)
            if target is None:
                bad = next((e for e in unreadable if e.path.parent.name == to_build_id), None)
                if bad is not None:
                    raise RollbackError(f"not rolling back to {to_build_id}: {bad}")
                known = ", ".join(entry.build_id for entry in kept) or "none"
                raise RollbackError(f"no kept build {to_build_id!r}; kept builds: {known}")
            try:
                restore(settings, target)
            except CorruptBuildError as error:
                raise RollbackError(f"not rolling back to {to_build_id}: {error}") from error
        else:
            current = current_entry(settings, kept)
            older = kept[kept.index(current) + 1 :] if current is not None else kept
            for target in older:
                try:
                    restore(settings, target)
                    break
                except CorruptBuildError as error:
                    skipped.append(f"skipped {error}")
            else:
                problems = f"; {'; '.join(skipped)}" if skipped else ""
                raise RollbackError(
                    f"no earlier build in {settings.history_dir} to roll back to "
                    f"(kept: {', '.join(entry.build_id for entry in kept) or 'none'}){problems}"
                )
        tidy(settings)
        return RolledBack(target, skipped)
