"""The Dagster code location: assembles the definitions from ``defs/``.

Loaded lazily: importing this module builds nothing and needs no dbt manifest. The definitions
are built by ``build_definitions`` (the command line) or ``defs`` (``make dev``'s code server),
and by then the manifest must exist (``python -m pipelines prepare``, which ``make run`` and
``make dev`` do for you).
"""

from __future__ import annotations

import re

import dagster as dg

from pipelines.core.env_file import load_env_file
from pipelines.core.settings import PROJECT_ROOT, Settings
from pipelines.defs.automation import (
    build_refresh_schedule,
    check_freshness,
    data_raw_changes,
    freshness_schedule,
    published_warehouse_is_fresh,
    refresh_cron,
    refresh_fiscal_years,
    refresh_warehouse,
    report_failed_build,
)
from pipelines.defs.ingest.budget_lines import line_files_spec, raw_budget_lines
from pipelines.defs.ingest.budget_tables import raw_budget_pages
from pipelines.defs.ingest.plan_documents import raw_plan_documents
from pipelines.defs.publish.warehouse import build_published_warehouse
from pipelines.defs.quality.gx_checks import gx_line_suites, gx_suites
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform.assets import build_dbt_models
from pipelines.defs.transform.project import dbt_build_resource
from pipelines.lifecycle.run_inputs import IGNORED


def raw_file_specs(settings: Settings) -> list[dg.AssetSpec]:
    """One asset per file in ``data_raw/``, so the lineage starts at the files themselves.

    The registry is one of them (a changed phase changes the warehouse); ``README.md`` is not.
    Only the folder is listed here (ingest reads and checks the files, with clear errors), so a
    broken file never stops the code location from loading.
    """
    folder = settings.data_raw_dir
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    specs: dict[str, dg.AssetSpec] = {}
    for path in files:
        if not path.is_file() or path.name.startswith(".") or path.name in IGNORED:
            continue
        name = re.sub(r"[^A-Za-z0-9_]", "_", path.name)
        while name in specs:  # `a-b.csv` and `a_b.csv` must not collide
            name += "_"
        specs[name] = dg.AssetSpec(
            key=["data_raw", name],
            description=f"Raw file `{path.name}` in {folder} (read by ingest, never written).",
            group_name="data_raw",
            kinds={"file"},
            metadata={"path": str(path)},
        )
    return list(specs.values())


def build_definitions(settings: Settings) -> dg.Definitions:
    files = raw_file_specs(settings)
    dbt_models = build_dbt_models()
    ingest = dg.map_asset_specs(
        lambda spec: spec.merge_attributes(deps=[file.key for file in files]),
        [raw_budget_pages, raw_plan_documents],
    )
    return dg.Definitions(
        assets=[
            *files,
            line_files_spec,
            *ingest,
            raw_budget_lines,
            dbt_models,
            build_published_warehouse(dbt_models),
        ],
        asset_checks=[gx_suites, gx_line_suites, published_warehouse_is_fresh],
        jobs=[refresh_warehouse, refresh_fiscal_years, check_freshness],
        schedules=[build_refresh_schedule(refresh_cron()), freshness_schedule],
        sensors=[data_raw_changes, report_failed_build],
        # One process per run: the run lock taken at ingest is then held until publishing.
        executor=dg.in_process_executor,
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": dbt_build_resource(),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    """What ``make dev`` (Dagster's code server) loads, lazily: nothing is built at import."""
    load_env_file(PROJECT_ROOT)
    return build_definitions(Settings.from_env())
