"""Publish: the audited build replaces ``warehouse/bnd.duckdb`` in one atomic rename."""

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform.assets import bnd_dbt_models
from pipelines.lib.warehouse_files import file_sha256, publish_build

PUBLISHED = dg.AssetKey(["warehouse", "bnd"])
# Publishing waits for every BI-facing and audit table, and so for their blocking checks.
PUBLISHED_SCHEMAS = ("marts", "audit")
UPSTREAM = sorted(
    (key for key in bnd_dbt_models.keys if key.path[0] in PUBLISHED_SCHEMAS),
    key=lambda key: key.to_user_string(),
)


@dg.asset(
    key=PUBLISHED,
    deps=UPSTREAM,
    group_name="publish",
    kinds={"duckdb"},
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """The audited warehouse BI tools read: ``bnd.duckdb`` in the warehouse folder.

    This step runs only when every blocking check upstream passed (dbt tests and the Great
    Expectations suites), and it refuses a build file that the same run did not ingest, build and
    audit in full. It renames the build file over the published one, so readers see the previous
    build or this one, never a mixture; a failed run never gets here and leaves the published file
    byte-identical.
    """
    settings = warehouse.settings
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        row_counts = {
            ".".join(key.path): con.execute(
                f"select count(*) from {'.'.join(key.path)}"
            ).fetchone()[0]
            for key in UPSTREAM
        }
    path = publish_build(settings, context.run_id)
    return dg.MaterializeResult(
        metadata={
            "path": str(path),
            "sha256": file_sha256(path),
            "size_bytes": path.stat().st_size,
            "row_counts": dg.MetadataValue.json(row_counts),
            "reports": str(settings.reports_dir),
        }
    )
