"""Publish: the audited build replaces ``warehouse/bnd.duckdb`` (see ``lifecycle.publishing``)."""

import json

import dagster as dg

from pipelines.core import progress
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform.docs import install_kept_dbt_docs
from pipelines.lifecycle.publishing import publish_build
from pipelines.lifecycle.run_inputs import INPUTS_TAG, read_run_inputs
from pipelines.lifecycle.step import build_step

PUBLISHED = dg.AssetKey(["warehouse", "bnd"])
# Publishing waits for every BI-facing and audit table, and so for their blocking checks.
PUBLISHED_SCHEMAS = ("marts", "audit")


def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """The audited warehouse BI tools read: ``bnd.duckdb`` in the warehouse folder.

    This step runs only when every blocking check upstream passed (dbt tests and the Great
    Expectations suites), and it refuses a build file that the same run did not ingest, build and
    audit in full. It writes ``marts.meta_build``, the exports (Parquet, Fiscal Data Package) and
    the report, switches ``warehouse/current`` to the build's folder (database, reports and
    exports in one atomic step: readers see the previous build or this one, never a mixture) and
    keeps a copy in ``history/``; a failed run never gets here and leaves the published file
    byte-identical.
    """
    settings = warehouse.settings
    inputs = read_run_inputs(settings.build_dir, context.run.tags.get(INPUTS_TAG))
    with build_step(settings, context.run_id, "publish") as step:
        published = publish_build(
            settings,
            context.run_id,
            inputs,
            add_reports=lambda database, reports: install_kept_dbt_docs(
                settings, database, reports
            ),
        )
        meta = published.meta
        marts = len(json.loads(meta["mart_row_counts"]))
        step.summary = f"build {meta['build_id']}: {marts} marts, Parquet and Fiscal Data Package"
        report = settings.reports_dir / "index.html"
        step.split("report", f"{report} and dq.json", published.report_seconds)
    for warning in published.warnings:  # the build is published; its history needs a look
        context.log.warning(warning)
        progress.emit(f"WARNING {warning}")
    return dg.MaterializeResult(
        metadata={
            "path": str(published.path),
            "sha256": published.sha256,
            "size_bytes": published.path.stat().st_size,
            "build_id": meta["build_id"],
            "code_version": meta["code_version"],
            "storage_version": meta["storage_version"],
            "row_counts": dg.MetadataValue.json(json.loads(meta["mart_row_counts"])),
            "checks_passed": meta["checks_passed"],
            "exports": dg.MetadataValue.json(published.exports),
            "export_dir": str(settings.export_dir),
            "reports": str(settings.reports_dir),
            "history": str(settings.history_dir),
            "warnings": dg.MetadataValue.json(published.warnings),
        }
    )


def build_published_warehouse(dbt_models: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The publish asset, after every mart and audit table of ``dbt_models`` (and so after
    their blocking checks). Built with the definitions, since the dbt models come from the
    manifest."""
    upstream = sorted(
        (key for key in dbt_models.keys if key.path[0] in PUBLISHED_SCHEMAS),
        key=lambda key: key.to_user_string(),
    )
    return dg.asset(
        key=PUBLISHED, deps=upstream, group_name="publish", kinds={"duckdb", "parquet"}
    )(published_warehouse)
