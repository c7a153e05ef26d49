"""Jobs (and later schedules and sensors)."""

from __future__ import annotations

import dagster as dg

REFRESH_JOB_NAME = "refresh_warehouse"

refresh_warehouse = dg.define_asset_job(
    name=REFRESH_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Ingest data_raw/, build with dbt, audit with dbt tests and GX, publish if clean.",
)
