"""What ``data_raw/`` holds, by content: the sensor's way to notice new or changed files.

Modification times lie (a copy, a checkout or a restore changes them without changing a byte), so
the sensor compares content hashes. ``README.md`` is documentation, not input, and is left out;
the registry is input (a changed phase or unit changes the warehouse) and is counted.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipelines.lib.build_meta import read_meta_build
from pipelines.lib.sources import REGISTRY_NAME
from pipelines.lib.warehouse_files import file_sha256

IGNORED = {"README.md"}


def raw_file_hashes(data_raw_dir: Path) -> dict[str, str]:
    """sha256 of every input file in ``data_raw_dir`` (recursively; hidden files left out)."""
    if not data_raw_dir.is_dir():
        return {}
    return {
        str(path.relative_to(data_raw_dir)): file_sha256(path)
        for path in sorted(data_raw_dir.rglob("*"))
        if path.is_file()
        and path.name not in IGNORED
        and not any(part.startswith(".") for part in path.relative_to(data_raw_dir).parts)
    }


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
