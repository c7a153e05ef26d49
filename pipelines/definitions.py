"""The Dagster code location: assembles the definitions; the logic lives in ``defs/`` and ``lib/``.

The dbt manifest must exist before this module is imported (``python -m pipelines prepare``, which
``make run`` and ``make dev`` do for you).
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.automation import (
    build_refresh_schedule,
    check_freshness,
    data_raw_changes,
    freshness_schedule,
    published_warehouse_is_fresh,
    refresh_cron,
    refresh_warehouse,
    report_failed_build,
)
from pipelines.defs.ingest.budget_pages import raw_budget_pages
from pipelines.defs.ingest.plan_documents import raw_plan_documents
from pipelines.defs.publish.warehouse import published_warehouse
from pipelines.defs.quality.gx_checks import gx_suites
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform.assets import bnd_dbt_models
from pipelines.defs.transform.project import LocalDbtCliResource, bnd_dbt_project
from pipelines.lib.settings import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[raw_budget_pages, raw_plan_documents, bnd_dbt_models, published_warehouse],
        asset_checks=[gx_suites, published_warehouse_is_fresh],
        jobs=[refresh_warehouse, check_freshness],
        schedules=[build_refresh_schedule(refresh_cron()), freshness_schedule],
        sensors=[data_raw_changes, report_failed_build],
        # One process per run: the run lock taken at ingest is then held until publishing.
        executor=dg.in_process_executor,
        resources={
            "warehouse": WarehouseResource.from_settings(settings),
            "dbt": LocalDbtCliResource(project_dir=bnd_dbt_project),
        },
    )


defs = build_definitions(Settings.from_env())
