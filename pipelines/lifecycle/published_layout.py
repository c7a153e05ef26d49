"""Where the published build lives: one symbolic link switches its database, reports and exports.

::

    warehouse/
      builds/<build_id>/   bnd.duckdb, reports/, export/, build.json  (the published build)
      current            -> builds/<build_id>
      bnd.duckdb         -> current/bnd.duckdb
      reports            -> current/reports
      export             -> current/export

Readers open ``warehouse/bnd.duckdb``, ``reports/`` and ``export/`` by path, and the kernel
resolves each through ``current``. Publishing a build (or rolling back to one) is therefore one
``os.replace`` of a new ``current`` link: every path resolved after it leads into the new
build's folder, every path resolved before it into the old one, so a reader never finds one
build's database beside another's reports or exports. A file already open keeps its contents.

The folder of the build that was published before stays until the next run (or rollback)
starts, so that a reader halfway through resolving a path never finds its folder gone; then it
is removed. Everything here runs under the warehouse's run lock.

A warehouse published before this layout holds a plain file and plain folders. ``ensure_layout``
moves them into ``builds/`` once: the database by a hard link and an atomic rename (a reader of
``bnd.duckdb`` always finds a file, the same one), each folder by two renames (absent for an
instant, never another build's).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import PUBLISHED_NAME, Settings
from pipelines.lifecycle.build_meta import as_json_ready, read_meta_build
from pipelines.lifecycle.files import clone_or_copy, fsync_directory, fsync_tree

BUILDS = "builds"
CURRENT = "current"
RECORD_FILE = "build.json"
# The folders published with the database; each is a link through ``current`` in the warehouse.
REPORTS, EXPORT = "reports", "export"
FOLDERS = (REPORTS, EXPORT)
# File in each folder that names the build it belongs to, and the keys leading to the id.
BUILD_ID_IN = {
    "reports": ("dq.json", ("build", "build_id")),
    "export": ("datapackage.json", ("build_id",)),
}


def builds_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / BUILDS


def current_link(settings: Settings) -> Path:
    return settings.warehouse_dir / CURRENT


def current_folder(settings: Settings) -> Path | None:
    """The folder ``current`` points at, or None before the first publish."""
    link = current_link(settings)
    if not link.is_symlink():
        return None
    folder = builds_dir(settings) / Path(os.readlink(link)).name
    return folder if folder.is_dir() else None


def new_record(
    meta: dict[str, Any], sha256: str, inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``build.json`` of a published build (kept as it is in its history entry). ``inputs``:
    what it was built from (``lifecycle.run_inputs``), when the run recorded it."""
    record = {
        "build_id": meta["build_id"],
        "sha256": sha256,
        "published_at_utc": datetime.now(UTC).isoformat(timespec="microseconds"),
        "meta_build": as_json_ready(meta),
    }
    if inputs is not None:
        record["inputs"] = inputs
    return record


def partial_folder(settings: Settings, build_id: str) -> Path:
    """An empty folder to assemble a build in (a dot name: removed, never published, if the
    process dies before ``commit_folder``)."""
    partial = builds_dir(settings) / f".{build_id}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    return partial


def commit_folder(settings: Settings, partial: Path, build_id: str) -> Path:
    """Give an assembled folder its name in ``builds/`` (durably); returns it.

    A build published again (a rollback to the build that is published) gets ``<id>.1``, …:
    the folder in use is never written."""
    folder, number = builds_dir(settings) / build_id, 0
    while folder.exists():
        number += 1
        folder = builds_dir(settings) / f"{build_id}.{number}"
    fsync_tree(partial)
    os.replace(partial, folder)
    fsync_directory(builds_dir(settings))
    return folder


def _incoming(settings: Settings) -> Path:
    return settings.warehouse_dir / f".{CURRENT}.incoming"


def prepare_switch(settings: Settings, folder: Path) -> None:
    """Everything of a switch to ``folder`` that writes: the warehouse's layout, and the new
    ``current`` link under a temporary name. Publishing does this before its switch, so that
    the switch itself is a rename, which needs no free space."""
    ensure_layout(settings)
    incoming = _incoming(settings)
    incoming.unlink(missing_ok=True)
    os.symlink(Path(BUILDS) / folder.name, incoming)
    _link_published_paths(settings)


def switch_to(settings: Settings, folder: Path) -> None:
    """Publish ``folder`` (in ``builds/``): one atomic rename of a new ``current`` link (made by
    ``prepare_switch``, here if it was not)."""
    incoming = _incoming(settings)
    target = str(Path(BUILDS) / folder.name)
    if not (incoming.is_symlink() and os.readlink(incoming) == target):
        prepare_switch(settings, folder)
    os.replace(incoming, current_link(settings))
    fsync_directory(settings.warehouse_dir)
    _link_published_paths(settings)


def remove_retired(settings: Settings, about_to_publish: Path | None = None) -> list[str]:
    """Remove every folder in ``builds/`` but the published one (and ``about_to_publish``);
    returns their names."""
    keep = (current_folder(settings), about_to_publish)
    removed = []
    if builds_dir(settings).is_dir():
        for folder in builds_dir(settings).iterdir():
            if folder not in keep:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
    return removed


def ensure_layout(settings: Settings) -> None:
    """Move a warehouse published as plain file and folders into ``builds/`` (see the module's
    docstring); nothing to do when it already has the layout or nothing is published."""
    published = settings.published_db
    if published.is_file() and not published.is_symlink():
        meta = read_meta_build(published)
        build_id = meta["build_id"] if meta else "unrecorded"
        partial = partial_folder(settings, build_id)
        try:
            os.link(published, partial / PUBLISHED_NAME)  # the same file under a second name
        except OSError:
            clone_or_copy(published, partial / PUBLISHED_NAME)
        if meta is not None:
            record = new_record(meta, file_sha256(partial / PUBLISHED_NAME))
            (partial / RECORD_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
        folder = commit_folder(settings, partial, build_id)
        incoming = settings.warehouse_dir / f".{CURRENT}.incoming"
        incoming.unlink(missing_ok=True)
        os.symlink(Path(BUILDS) / folder.name, incoming)
        os.replace(incoming, current_link(settings))
        _replace_with_link(published, Path(CURRENT) / PUBLISHED_NAME)
    current = current_folder(settings)
    build_id = _folder_build_id(current) if current is not None else None
    for name in FOLDERS:
        plain = settings.warehouse_dir / name
        if plain.is_symlink() or not plain.exists():
            continue
        # The published build's own reports/exports move with it: those in the warehouse, or
        # those still waiting in .build (a publish of the old layout killed after its rename).
        for candidate in (plain, settings.build_dir / name):
            if current is None or (current / name).exists() or build_id is None:
                break
            if _build_id_in(candidate, name) == build_id:
                os.replace(candidate, current / name)
        if plain.exists():
            retired = plain.with_name(f".{name}.retired")
            shutil.rmtree(retired, ignore_errors=True)
            os.replace(plain, retired)
            shutil.rmtree(retired, ignore_errors=True)
    if current is not None:
        _link_published_paths(settings)


def _link_published_paths(settings: Settings) -> None:
    """``bnd.duckdb``, ``reports``, ``export`` as links through ``current`` (made once)."""
    for name in (PUBLISHED_NAME, *FOLDERS):
        path = settings.warehouse_dir / name
        if not path.is_symlink() and not path.exists():
            _replace_with_link(path, Path(CURRENT) / name)


def _replace_with_link(path: Path, target: Path) -> None:
    incoming = path.with_name(f".{path.name}.link")
    incoming.unlink(missing_ok=True)
    os.symlink(target, incoming)
    os.replace(incoming, path)


def _folder_build_id(folder: Path) -> str | None:
    """The build id of a folder in ``builds/``: its record's, else its database's."""
    try:
        return json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))["build_id"]
    except (OSError, ValueError, KeyError, TypeError):
        meta = read_meta_build(folder / PUBLISHED_NAME)
        return meta["build_id"] if meta else None


def _build_id_in(folder: Path, name: str) -> str | None:
    """The build id that ``reports/dq.json`` or ``export/datapackage.json`` says it belongs to."""
    file_name, keys = BUILD_ID_IN[name]
    try:
        value: Any = json.loads((folder / file_name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else None
