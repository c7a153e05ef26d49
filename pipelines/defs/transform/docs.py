"""The dbt docs site of the published warehouse, as one self-contained page.

``dbt docs generate --static`` reads the catalog (tables, columns, types, comments; no figures)
from a private copy of the published file, made at the build's own path under the run lock: BI
readers are never locked out, and dbt's profile and parse state stay those of the runs. The page
embeds the manifest and catalog, so it opens from disk without a web server.

The site depends only on the dbt project and the warehouse's schema, so it is kept per warehouse
under that key and made again only when one of them changed (a refresh that changes figures only
copies the kept site; its "generated at" is then the time it was made).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.defs.transform.project import (
    PARTIAL_PARSE_FILE,
    dbt_environment,
    project_fingerprint,
    warehouse_target_dir,
)
from pipelines.lib.settings import DBT_PROJECT_DIR, Settings
from pipelines.lib.warehouse_files import run_lock

# What dbt writes → the name in the site.
SITE_FILES = {
    "static_index.html": "index.html",
    "manifest.json": "manifest.json",
    "catalog.json": "catalog.json",
}
DOCS_COMMAND = (sys.executable, "-m", "dbt.cli.main", "docs", "generate", "--static")
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
    """Write ``<warehouse>/reports/dbt_docs/index.html`` (with manifest and catalog)."""
    kept = warehouse_target_dir(settings) / "docs_sites"
    site = kept / site_key(settings.published_db)
    if not (site / "index.html").is_file():
        _generate(settings, site)
        for other in kept.iterdir():
            if other != site:
                shutil.rmtree(other, ignore_errors=True)
    out = settings.reports_dir / "dbt_docs"
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(site, out)
    return out / "index.html"


def site_key(published_db: Path) -> str:
    """sha256 over the dbt project's sources and the published file's schema."""
    with duckdb.connect(str(published_db), read_only=True) as con:
        schema = repr(con.execute(SCHEMA_QUERY).fetchall())
    return hashlib.sha256(f"{project_fingerprint()}\n{schema}".encode()).hexdigest()[:20]


def _generate(settings: Settings, site: Path) -> None:
    target = warehouse_target_dir(settings) / "docs"
    target.mkdir(parents=True, exist_ok=True)
    parsed = target.parent / PARTIAL_PARSE_FILE  # the warehouse's parse state: no re-parse
    if parsed.is_file():
        shutil.copyfile(parsed, target / PARTIAL_PARSE_FILE)
    with run_lock(settings), dbt_environment(settings):
        copy = settings.build_db
        if copy.exists():
            raise FileExistsError(
                f"{copy} holds the build of a failed run (kept to look into); the dbt docs are "
                "made from a copy at that path: run a refresh, or delete it, first"
            )
        try:
            shutil.copy2(settings.published_db, copy)
            subprocess.run(
                [*DOCS_COMMAND, "--profiles-dir", ".", "--target-path", str(target)],
                cwd=DBT_PROJECT_DIR,
                check=True,
            )
        finally:
            copy.unlink(missing_ok=True)
    partial = site.with_name(f".{site.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name, kept_as in SITE_FILES.items():
        shutil.copy2(target / name, partial / kept_as)
    os.replace(partial, site)
