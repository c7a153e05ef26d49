"""Where things are: the project's folders, and the paths a run reads and writes.

Paths come from environment variables so that a scheduler, a test or a person can point a run at
another raw folder or warehouse without touching code:

- ``BND_DATA_RAW``: the raw files and their registry (default ``data_raw``)
- ``BND_WAREHOUSE_DIR``: where builds happen and the audited warehouse is published (default
  ``warehouse``)
- ``BND_DUCKDB_MEMORY_LIMIT``: DuckDB's memory limit in every step that writes the warehouse
  (default ``4GB``); beyond it DuckDB spills to ``warehouse/.build/duckdb_tmp``

Relative values are taken from the current directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# dbt's target folder: the manifest, the kept parse state, each warehouse's artifacts.
DBT_TARGET_DIR = DBT_PROJECT_DIR / "target"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"

PUBLISHED_NAME = "bnd.duckdb"
# Builds are written in the storage format of DuckDB 1.0, which every DuckDB 1.x and 2.x client
# reads (BI drivers often ship 1.x). A file keeps the format it was created with.
STORAGE_VERSION = "v1.0.0"
# How many published builds ``warehouse/history/`` keeps for ``make rollback``.
HISTORY_KEPT = 5
# The dbt profile reads the build's database file from this variable (dbt_project/profiles.yml).
BUILD_DB_ENV = "BND_BUILD_DB"
# ... and the run's landing database of budget lines (attached to dbt as ``landing``).
LANDING_DB_ENV = "BND_LANDING_DB"
MEMORY_LIMIT_ENV = "BND_DUCKDB_MEMORY_LIMIT"
TEMP_DIR_ENV = "BND_DUCKDB_TEMP_DIR"
DEFAULT_MEMORY_LIMIT = "4GB"


@dataclass(frozen=True)
class Settings:
    """The folders one run works with; every path is absolute."""

    data_raw_dir: Path
    warehouse_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        return cls.at(
            data_raw_dir=os.environ.get("BND_DATA_RAW") or PROJECT_ROOT / "data_raw",
            warehouse_dir=os.environ.get("BND_WAREHOUSE_DIR") or PROJECT_ROOT / "warehouse",
        )

    @classmethod
    def at(cls, data_raw_dir: str | Path, warehouse_dir: str | Path) -> Settings:
        return cls(Path(data_raw_dir).resolve(), Path(warehouse_dir).resolve())

    @property
    def published_db(self) -> Path:
        """The audited warehouse BI tools read: a link to ``current/bnd.duckdb``. Publishing
        never writes it: it switches the ``current`` link to another build's folder, in one
        ``os.replace`` (``lifecycle.published_layout``)."""
        return self.warehouse_dir / PUBLISHED_NAME

    @property
    def reports_dir(self) -> Path:
        """Reports of the published build: a link to ``current/reports``."""
        return self.warehouse_dir / "reports"

    @property
    def export_dir(self) -> Path:
        """Parquet of every mart and the Fiscal Data Package of the published build: a link to
        ``current/export``."""
        return self.warehouse_dir / "export"

    @property
    def history_dir(self) -> Path:
        """The last published builds (database, reports, exports) and their manifest."""
        return self.warehouse_dir / "history"

    @property
    def build_dir(self) -> Path:
        """Working folder of the build under way (or of the last one that failed)."""
        return self.warehouse_dir / ".build"

    @property
    def build_db(self) -> Path:
        """The build's own database file; published by moving it into ``builds/<build_id>/``
        and switching the ``current`` link to that folder (``lifecycle.published_layout``)."""
        return self.build_dir / PUBLISHED_NAME

    @property
    def build_reports_dir(self) -> Path:
        return self.build_dir / "reports"

    @property
    def build_export_dir(self) -> Path:
        return self.build_dir / "export"

    @property
    def landing_db(self) -> Path:
        """The run's budget lines as read from their files; dbt loads the facts from it."""
        return self.build_dir / "landing.duckdb"

    @property
    def duckdb_temp_dir(self) -> Path:
        return self.build_dir / "duckdb_tmp"

    @property
    def memory_limit(self) -> str:
        return os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT

    def duckdb_config(self) -> dict[str, str | bool | int | float | list[str]]:
        """DuckDB settings of every connection that builds: bounded memory, spilling to disk."""
        return {
            "memory_limit": self.memory_limit,
            "temp_directory": str(self.duckdb_temp_dir),
            "preserve_insertion_order": False,
        }

    @property
    def dbt_env(self) -> dict[str, str]:
        """Environment the dbt CLI needs to build into this run's file."""
        return {
            BUILD_DB_ENV: str(self.build_db),
            LANDING_DB_ENV: str(self.landing_db),
            MEMORY_LIMIT_ENV: self.memory_limit,
            TEMP_DIR_ENV: str(self.duckdb_temp_dir),
            # No dbt log file of its own: dbt's events, warnings and errors included, are in the
            # run's log. dbt writes each of its events as a line for every log it keeps before
            # asking whether the log's level wants it: the file's lines were 4,532 of a seed-size
            # build's 9,064, about 1.1 s of its 13 s. Set DBT_LOG_LEVEL_FILE=debug in the
            # environment for a dbt.log with every statement.
            "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "none"),
        }
