"""``warehouse/history/``: the last published builds, their manifest, and rollback.

Each kept build is a folder ``history/<build_id>/`` holding its database (``bnd.duckdb``), its
reports and exports, and ``build.json`` (its ``marts.meta_build`` row, the sha256 of its database
and when it was published). ``history/manifest.json`` lists them newest first and names the one
that is published now. The manifest is rewritten from the folders after every publish and
rollback, and which build is current is decided by comparing sha256 with the published file, so a
crash between two of these steps leaves nothing inconsistent for long: the next publish or
rollback writes the truth.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.lib.build_meta import as_json_ready, read_meta_build
from pipelines.lib.checksums import file_sha256
from pipelines.lib.settings import HISTORY_KEPT, PUBLISHED_NAME, Settings
from pipelines.lib.warehouse_files import (
    copy_directory,
    link_or_copy,
    replace_directory,
    run_lock,
)

MANIFEST = "manifest.json"
ENTRY_FILE = "build.json"
# What a history entry holds besides build.json: the database and the folders published with it.
FOLDERS = ("reports", "export")


class RollbackError(RuntimeError):
    """There is no build to roll back to."""


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


def add_entry(settings: Settings, meta: dict[str, Any]) -> Entry:
    """Copy what is published (database, reports, exports) into ``history/<build_id>``, whole or
    not at all."""
    build_id = meta["build_id"]
    partial = settings.history_dir / f".{build_id}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    # Hard links where the filesystem allows: a published file is never written again (a build
    # is a new file renamed into place), so the link keeps the build as it was, without a copy.
    link_or_copy(settings.published_db, partial / PUBLISHED_NAME)
    for name in FOLDERS:
        folder = settings.warehouse_dir / name
        if folder.exists():
            shutil.copytree(folder, partial / name, copy_function=link_or_copy)
    record = {
        "build_id": build_id,
        "sha256": file_sha256(partial / PUBLISHED_NAME),
        "published_at_utc": datetime.now(UTC).isoformat(timespec="microseconds"),
        "meta_build": as_json_ready(meta),
    }
    (partial / ENTRY_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
    target = settings.history_dir / build_id
    os.replace(partial, target)
    return Entry(build_id, target, record)


def entries(settings: Settings) -> list[Entry]:
    """Complete entries, newest first (folders being written start with a dot)."""
    found = []
    if settings.history_dir.exists():
        for folder in settings.history_dir.iterdir():
            record_file = folder / ENTRY_FILE
            if folder.name.startswith(".") or not record_file.is_file():
                continue
            record = json.loads(record_file.read_text(encoding="utf-8"))
            found.append(Entry(folder.name, folder, record))
    return sorted(found, key=lambda entry: entry.record["published_at_utc"], reverse=True)


def current_entry(settings: Settings, kept: list[Entry]) -> Entry | None:
    """The kept build that is published now: by the build id in the published file's
    ``marts.meta_build`` (a client that opened it read-write may have changed its bytes), else
    by sha256."""
    if not settings.published_db.exists():
        return None
    build_id = published_build_id(settings.published_db)
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
    by a crash, and rewrite the manifest. Returns the manifest."""
    for leftover in settings.history_dir.glob(".*.partial"):
        shutil.rmtree(leftover, ignore_errors=True)
    kept = entries(settings)
    current = current_entry(settings, kept)
    for entry in kept[kept_count:]:
        if entry != current:
            shutil.rmtree(entry.path, ignore_errors=True)
    kept = kept[:kept_count] + ([current] if current and current not in kept[:kept_count] else [])
    manifest = {
        # Relative to the warehouse folder: a published file names no folder of the machine.
        "published": settings.published_db.name,
        "current_build_id": current.build_id if current else None,
        "kept": kept_count,
        "builds": [
            {**entry.record, "is_current": entry == current, "folder": entry.path.name}
            for entry in kept
        ],
    }
    settings.history_dir.mkdir(parents=True, exist_ok=True)
    temporary = settings.history_dir / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(temporary, settings.history_dir / MANIFEST)
    return manifest


def restore(settings: Settings, entry: Entry) -> None:
    """Put a kept build back as the published warehouse: database first, by an atomic rename."""
    incoming = settings.warehouse_dir / f".{PUBLISHED_NAME}.incoming"
    shutil.copyfile(entry.database, incoming)
    with incoming.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(incoming, settings.published_db)
    for name in FOLDERS:
        source = entry.path / name
        if source.exists():
            staged = settings.warehouse_dir / f".{name}.incoming"
            shutil.rmtree(staged, ignore_errors=True)
            copy_directory(source, staged)
            replace_directory(staged, settings.warehouse_dir / name)


def rollback(settings: Settings, to_build_id: str | None = None) -> Entry:
    """Publish the build before the current one (or ``to_build_id``) again.

    Holds the run lock, so it never interleaves with a refresh publishing.
    """
    with run_lock(settings):
        kept = entries(settings)
        if to_build_id is not None:
            target = next((entry for entry in kept if entry.build_id == to_build_id), None)
            if target is None:
                known = ", ".join(entry.build_id for entry in kept) or "none"
                raise RollbackError(f"no kept build {to_build_id!r}; kept builds: {known}")
        else:
            current = current_entry(settings, kept)
            older = kept[kept.index(current) + 1 :] if current is not None else kept
            if not older:
                raise RollbackError(
                    f"no earlier build in {settings.history_dir} to roll back to "
                    f"(kept: {', '.join(entry.build_id for entry in kept) or 'none'})"
                )
            target = older[0]
        restore(settings, target)
        tidy(settings)
        return target
