"""``make docs`` and ``python -m pipelines prepare``: dbt's manifest and docs site."""

from __future__ import annotations

import subprocess

from pipelines.core.settings import Settings
from pipelines.defs.transform.docs import write_dbt_docs
from pipelines.defs.transform.project import prepare_manifest


def prepare() -> int:
    prepare_manifest(Settings.from_env())
    return 0


def docs() -> int:
    """dbt docs for the published warehouse, written to ``<warehouse>/reports/dbt_docs``."""
    settings = Settings.from_env()
    if not settings.published_db.exists():
        print(f"error: no published warehouse at {settings.published_db}; run `make run` first")
        return 1
    try:
        print(f"dbt docs: {write_dbt_docs(settings)}")
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"error: the dbt docs were not written: {error}")
        return 1
    return 0
