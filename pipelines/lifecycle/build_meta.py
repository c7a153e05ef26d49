"""``marts.meta_build``: one row saying which build this is, from what, and what was checked.

BI tools show it as "data as of"; the history manifest keeps the same row for every kept build.
Written by the publish step into the audited build, just before it is published.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import duckdb

from pipelines.checks.check_list import CheckCount
from pipelines.core.settings import PROJECT_ROOT, STORAGE_VERSION
from pipelines.core.sql import one_row, quote_identifier

META_TABLE = "marts.meta_build"
# Columns, in order: DuckDB type and meaning (kept as the column's comment in the warehouse, and
# listed in the README).
COLUMN_DOCS = {
    "build_id": (
        "varchar",
        "<UTC time of publishing>-<first 8 characters of the run id>; also the build's folder "
        "name in warehouse/builds/ and warehouse/history/.",
    ),
    "run_id": ("varchar", "The Dagster run that built it."),
    "started_at_utc": ("timestamp", "When ingest started (UTC)."),
    "finished_at_utc": ("timestamp", "When publishing began (UTC)."),
    "code_version": ("varchar", "git describe --always --dirty of the code that built it."),
    "dbt_version": ("varchar", "dbt-core version that built the models."),
    "duckdb_version": ("varchar", "DuckDB version that wrote the file."),
    "storage_version": ("varchar", "DuckDB storage format of the file."),
    "refresh_kind": (
        "varchar",
        "full (every fiscal year rebuilt) or fiscal_years (some years' budget lines "
        "reprocessed on a copy of the published build).",
    ),
    "base_build_id": (
        "varchar",
        "For a fiscal_years refresh, the published build it started from; else null.",
    ),
    "fiscal_years_processed": ("varchar", "Fiscal years whose budget lines were loaded, as JSON."),
    "raw_file_count": ("integer", "Number of raw files read."),
    "raw_files": ("varchar", "Every raw file read, as JSON: file, sha256, size in bytes."),
    "mart_row_counts": ("varchar", "Rows per mart, as JSON."),
    "checks": (
        "integer",
        "Checks of the build: every dbt test and GX expectation (the count the run, the report "
        "and dq.json give).",
    ),
    "checks_passed": ("integer", "Checks that passed."),
    "checks_warned": ("integer", "Checks that failed with severity warn (reported, not blocking)."),
    "checks_failed": ("integer", "Checks that failed (0 when published)."),
    "check_summary": (
        "varchar",
        "The same counts by where the checks come from (dbt, gx), as JSON.",
    ),
    "rolled_back_at_utc": (
        "timestamp",
        "When `make rollback` published this build again (UTC); null for a build as first "
        "published.",
    ),
    "rolled_back_from_build_id": (
        "varchar",
        "The build that was published before that rollback; null unless rolled back.",
    ),
}
COLUMNS = {name: kind for name, (kind, _) in COLUMN_DOCS.items()}
META_DESCRIPTION = (
    "One row about the build you are reading: when and from what it was built, its row counts "
    "and the checks it passed. Written by the publish step."
)
# Columns holding JSON text (BI tools read text everywhere; the manifest keeps them as JSON).
JSON_COLUMNS = ("raw_files", "mart_row_counts", "check_summary", "fiscal_years_processed")


def as_json_ready(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its JSON columns parsed and times as ISO text, for JSON files."""
    return {
        name: json.loads(value)
        if name in JSON_COLUMNS
        else value.isoformat()
        if isinstance(value, datetime)
        else value
        for name, value in row.items()
    }


def build_id(finished_at: datetime, run_id: str) -> str:
    """Sortable and unique: ``20261128T171203Z-1a2b3c4d`` (UTC time, start of the run id)."""
    return f"{finished_at:%Y%m%dT%H%M%SZ}-{run_id[:8]}"


@cache
def code_version() -> str:
    """The git commit of the code that built the warehouse, ``-dirty`` if it had local changes."""
    try:
        completed = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return completed.stdout.strip()


# What the code of a build is: these folders and files of the project (each file's path and bytes).
CODE_PATHS = ("pipelines", "dbt_project", "expectations", "pyproject.toml", "uv.lock")
# Written by the tools, not by people: never part of the code (dbt's and GX's output, caches).
NOT_CODE = {"target", "logs", "dbt_packages", "uncommitted", "__pycache__", ".user.yml"}
# Settings that change what a run accepts (limits of the readers), so they count as code too.
SETTING_PREFIXES = ("BND_LIMIT_",)


def code_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """sha256 over everything that decides what a build from the same raw files holds.

    The sources of the Python pipeline, the dbt project and the GX suites (path and bytes of each
    file), the locked dependencies (``uv.lock``), the Python version and the ``BND_LIMIT_*``
    settings. Unlike ``code_version`` (a git commit, ``-dirty`` for any local change), it names
    the content, so a no-change ``make run`` can tell that nothing changed, and a local edit
    does not hide among others. Cheap: a few hundred small files.
    """
    digest = hashlib.sha256(f"{sys.version}\0{STORAGE_VERSION}\0".encode())
    for name in sorted(os.environ):
        if name.startswith(SETTING_PREFIXES):
            digest.update(f"{name}={os.environ[name]}\0".encode())
    for top in CODE_PATHS:
        for path in _code_files(root / top):
            relative = path.relative_to(root).as_posix()
            digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _code_files(top: Path) -> list[Path]:
    if top.is_file():
        return [top]
    files = []
    for folder, folders, names in os.walk(top):
        folders[:] = sorted(name for name in folders if name not in NOT_CODE)
        files += [
            Path(folder) / name
            for name in names
            if name not in NOT_CODE and not name.endswith((".pyc", ".msgpack"))
        ]
    return sorted(files)


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' and table_name <> 'meta_build' order by table_name"
    ).fetchall()
    return {
        f"marts.{name}": one_row(
            con.execute(f"select count(*) from marts.{quote_identifier(name)}")
        )[0]
        for (name,) in tables
    }


def write_meta_build(
    con: duckdb.DuckDBPyConnection,
    record: dict,
    finished_at: datetime,
    checks: CheckCount,
    check_summary: dict[str, dict[str, int]],
) -> dict[str, Any]:
    """Create ``marts.meta_build`` in the build ``con`` is connected to; return its one row.

    ``record`` is the build record (``lifecycle.build_record``): run id, start time, years.
    ``checks`` is the build's count of checks (``checks.check_list``), ``check_summary`` the same
    by source.
    """
    dbt_version = package_version("dbt-core")  # read from its metadata, without importing dbt
    landed = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    query = "select source_file, source_sha256, size_bytes from raw.source_files"
    # the budget lines' files, and the acknowledged differences (a file that decides statuses)
    for table in ("budget_line_files", "acknowledgement_files"):
        if table in landed:
            query += f" union all select source_file, source_sha256, size_bytes from raw.{table}"
    raw_files = [
        {"file": file, "sha256": sha256, "size_bytes": size}
        for file, sha256, size in con.execute(f"{query} order by 1").fetchall()
    ]
    row = {
        "build_id": build_id(finished_at, record["run_id"]),
        "run_id": record["run_id"],
        "started_at_utc": datetime.fromisoformat(record["started_at"]).replace(tzinfo=None),
        "finished_at_utc": finished_at.replace(tzinfo=None),
        "code_version": code_version(),
        "dbt_version": dbt_version,
        "duckdb_version": duckdb.__version__,
        "storage_version": STORAGE_VERSION,
        "refresh_kind": record.get("kind", "full"),
        "base_build_id": record.get("base_build_id"),
        "fiscal_years_processed": json.dumps(record.get("fiscal_years", [])),
        "raw_file_count": len(raw_files),
        "raw_files": json.dumps(raw_files, ensure_ascii=False),
        "mart_row_counts": json.dumps(mart_row_counts(con)),
        "checks": checks.checks,
        "checks_passed": checks.passed,
        "checks_warned": checks.warned,
        "checks_failed": checks.failed,
        "check_summary": json.dumps(check_summary),
        "rolled_back_at_utc": None,
        "rolled_back_from_build_id": None,
    }
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"create or replace table {META_TABLE} ({columns})")
    con.execute(
        f"insert into {META_TABLE} values ({', '.join('?' for _ in COLUMNS)})",
        [row[name] for name in COLUMNS],
    )
    return row


def read_meta_build(database: Path) -> dict[str, Any] | None:
    """The ``marts.meta_build`` row of a warehouse file (read-only); None if there is none."""
    if not database.is_file():
        return None
    try:
        with duckdb.connect(str(database), read_only=True) as con:
            cursor = con.execute(f"select * from {META_TABLE}")
            row = cursor.fetchone()
            names = [column[0] for column in cursor.description]
    except duckdb.Error:
        return None
    return dict(zip(names, row, strict=True)) if row else None
