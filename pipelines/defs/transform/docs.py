"""The dbt docs site of the published warehouse, as one self-contained page.

``dbt docs generate --static`` reads the catalog (tables, columns, types, comments; no figures)
from a private copy of the published file, in a folder of its own: BI readers are never locked
out, and a run may start meanwhile (the docs take no run lock, only one of their own). The page
embeds the manifest and catalog, so it opens from disk without a web server. ``make run`` copies
a kept site at once, and otherwise has the site made by a process in the background, after it
printed its result: dbt's seconds are never on the run's path. ``make docs`` makes it (or waits
for the one being made).

The site depends only on the dbt project and the warehouse's schema, so it is kept per warehouse
under that key and made again only when one of them changed (a refresh that changes figures only
copies the kept site; its "generated at" is then the time it was made).

dbt writes the build machine's absolute paths into the manifest (each node's ``root_path`` and
``compiled_path``), and the page embeds it. A published site names no folder of the machine: the
project's, the warehouse's, the raw folder's and Python's paths are made relative (or replaced by
a name in angle brackets) before the site is kept.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.core.settings import (
    BUILD_DB_ENV,
    DBT_PROJECT_DIR,
    LANDING_DB_ENV,
    PROJECT_ROOT,
    PUBLISHED_NAME,
    TEMP_DIR_ENV,
    Settings,
)
from pipelines.defs.transform.project import (
    dbt_command_line,
    parse_state_env,
    project_fingerprint,
    warehouse_target_dir,
)
from pipelines.lifecycle.published_layout import RECORD_FILE, current_folder

# What dbt writes → the name in the site.
SITE_FILES = {
    "static_index.html": "index.html",
    "manifest.json": "manifest.json",
    "catalog.json": "catalog.json",
}
# Part of a kept site's key: a change to how sites are made (e.g. paths made relative) makes
# every warehouse's site again.
SITE_FORMAT = "relative-paths-1"
# dbt started from the parse state ``prepare`` kept, as the builds are (``dbt_command``): a parse
# of its own took about 4.5 s of the command's 12.
DOCS_COMMAND = ("docs", "generate", "--static")
SCHEMA_QUERY = """
select 'column', schema_name, table_name, column_index::varchar || ' ' || column_name,
       data_type, comment
from duckdb_columns() where database_name = current_database()
union all
select 'table', schema_name, table_name, '', '', comment
from duckdb_tables() where database_name = current_database()
union all
select 'view', schema_name, view_name, '', '', comment
from duckdb_views() where database_name = current_database() and not internal
order by all
"""


def write_dbt_docs(settings: Settings) -> Path:
    """Write ``<warehouse>/reports/dbt_docs/index.html`` (with manifest and catalog).

    One writer at a time per warehouse (a lock of its own, never the run lock: a run may start
    while the docs of the last one are being made); a second one waits, then finds the site kept.
    """
    kept = warehouse_target_dir(settings) / "docs_sites"
    kept.mkdir(parents=True, exist_ok=True)
    with (kept.parent / "docs.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder = _published_folder(settings)
        site = kept / site_key(folder / PUBLISHED_NAME)
        if not (site / "index.html").is_file():
            _generate(settings, folder / PUBLISHED_NAME, site)
            for other in kept.iterdir():
                if other != site:
                    shutil.rmtree(other, ignore_errors=True)
        _install_in_history(settings, folder, site)
        return _install(site, folder / "reports" / "dbt_docs")


def copy_kept_dbt_docs(settings: Settings) -> Path | None:
    """The published build's docs from the site kept for its schema (a copy, well under a
    second); None when no site is kept for it (the dbt project or the schema changed): then
    ``write_dbt_docs`` has to make one, which takes dbt seconds."""
    folder = _published_folder(settings)
    return install_kept_dbt_docs(settings, folder / PUBLISHED_NAME, folder / "reports")


def install_kept_dbt_docs(settings: Settings, database: Path, reports_dir: Path) -> Path | None:
    """Copy the site kept for ``database``'s schema into ``reports_dir/dbt_docs``; None when
    none is kept. Publishing calls this on the staged build, so the docs are part of what is
    switched to and kept in the history, written before the switch like the other reports."""
    site = warehouse_target_dir(settings) / "docs_sites" / site_key(database)
    if not (site / "index.html").is_file():
        return None
    return _install(site, reports_dir / "dbt_docs")


def _install_in_history(settings: Settings, folder: Path, site: Path) -> None:
    """A site made after its build was published goes into the build's history entry too, so a
    rollback to it brings its docs."""
    try:
        build_id = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))["build_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    kept = settings.history_dir / str(build_id) / "reports"
    if kept.is_dir() and kept.resolve().parent.parent == settings.history_dir.resolve():
        _install(site, kept / "dbt_docs")


def _published_folder(settings: Settings) -> Path:
    """The published build's folder in ``builds/`` (docs go into the build they describe, even
    if another build is published while they are being written)."""
    folder = current_folder(settings)
    if folder is None:
        raise FileNotFoundError(f"no published warehouse at {settings.published_db}")
    return folder


def _install(site: Path, out: Path) -> Path:
    """Copy a kept site to ``out`` (unless it holds that site already) via a temporary folder."""
    index = out / "index.html"
    if index.is_file() and index.read_bytes() == (site / "index.html").read_bytes():
        return index
    partial = out.with_name(f".{out.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(site, partial)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(partial, out)
    return index


def site_key(published_db: Path) -> str:
    """sha256 over the dbt project's sources and the published file's schema."""
    with duckdb.connect(str(published_db), read_only=True) as con:
        schema = repr(con.execute(SCHEMA_QUERY).fetchall())
    key = f"{SITE_FORMAT}\n{project_fingerprint()}\n{schema}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _generate(settings: Settings, published_db: Path, site: Path) -> None:
    """``dbt docs generate`` against a private copy of the published database (its own folder,
    profile paths and landing), so that neither readers nor a run that starts meanwhile meet it."""
    target = warehouse_target_dir(settings) / "docs"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    copy = target / PUBLISHED_NAME
    shutil.copy2(published_db, copy)
    env = {
        **os.environ,
        **settings.dbt_env,
        BUILD_DB_ENV: str(copy),
        LANDING_DB_ENV: str(target / "landing.duckdb"),
        TEMP_DIR_ENV: str(target / "duckdb_tmp"),
        **parse_state_env(),
    }
    try:
        subprocess.run(
            dbt_command_line(*DOCS_COMMAND, "--profiles-dir", ".", "--target-path", str(target)),
            cwd=DBT_PROJECT_DIR,
            env=env,
            check=True,
        )
    finally:
        copy.unlink(missing_ok=True)
    partial = site.with_name(f".{site.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    replacements = machine_paths(settings)
    for name, kept_as in SITE_FILES.items():
        text = (target / name).read_text(encoding="utf-8")
        (partial / kept_as).write_text(without_machine_paths(text, replacements), encoding="utf-8")
    os.replace(partial, site)


def machine_paths(settings: Settings) -> list[tuple[str, str]]:
    """(absolute folder of this machine, what a published page says instead), longest first."""
    named = {
        str(settings.warehouse_dir): "<warehouse>",
        str(settings.data_raw_dir): "<data_raw>",
        str(PROJECT_ROOT): ".",
        sys.prefix: "<python>",
        sys.base_prefix: "<python>",
    }
    for folder, name in list(named.items()):
        named.setdefault(os.path.realpath(folder), name)
    return sorted(named.items(), key=lambda item: len(item[0]), reverse=True)


def without_machine_paths(text: str, replacements: list[tuple[str, str]]) -> str:
    """``text`` with every folder of ``replacements`` replaced where it starts a path (as written
    and as JSON writes it inside a string), in one pass so no replacement is replaced again."""
    spellings: dict[str, str] = {}
    for folder, name in replacements:
        for spelling in (folder, json.dumps(folder)[1:-1]):
            spellings.setdefault(spelling, name)
    longest_first = sorted(spellings, key=len, reverse=True)
    alternatives = "|".join(re.escape(spelling) for spelling in longest_first)
    # A folder ends where the path does, or at a separator: /work/x is not part of /work/xy.
    pattern = re.compile(f"({alternatives})(?![^/\\\\\"'\\s<>])")
    return pattern.sub(lambda match: spellings[match[1]], text)
