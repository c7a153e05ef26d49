"""Publish: the audited build replaces ``warehouse/bnd.duckdb`` (see ``lifecycle.publishing``).

A refused run never reaches the publish step, so Dagster would show ``warehouse/bnd`` as "Failed"
without saying what is live. ``observe_refused_run`` says it: an ``AssetObservation`` on
``warehouse/bnd`` ("published build X unchanged; run Y refused: why"), reported where the run
ends (``cli.refresh`` for ``make run``, the ``report_failed_build`` sensor for runs started in the
UI, a sensor or the schedule), and the note beside the published report (``reports.refresh_note``).
"""

import json
import logging
from collections.abc import Iterable

import dagster as dg

from pipelines.core import progress
from pipelines.core.settings import Settings
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform.docs import install_kept_dbt_docs
from pipelines.lifecycle import build_record
from pipelines.lifecycle.publishing import publish_build
from pipelines.lifecycle.run_inputs import INPUTS_TAG, read_run_inputs
from pipelines.lifecycle.step import build_step
from pipelines.reports.dq_report import record_refusal

log = logging.getLogger(__name__)

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
        step.summary = f"build {meta['build_id']}: {marts} marts, kept in the history"
        step.split(
            "exports", "Parquet, CSV, XLSX and Fiscal Data Package", published.export_seconds
        )
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


def refused_run_observation(settings: Settings, note: dict) -> dg.AssetObservation:
    """What Dagster shows on ``warehouse/bnd`` after a refused run: the build still published
    (or that none is), the run refused, when and why, and both reports."""
    build, run = note["published_build_id"], note["refused_run_id"]
    reason = note["reason"].get("en") or "a blocking check failed"
    live = f"published build {build} unchanged" if build else "nothing is published"
    metadata = {
        "status": "refused",
        "published_build_id": build or "none",
        "refused_run_id": run,
        "refused_at_utc": note["refused_at_utc"],
        "reason": reason,
        "failed_report": dg.MetadataValue.path(note["failed_report_path"]),
        "published_report": dg.MetadataValue.path(str(settings.reports_dir / "index.html")),
    }
    if note.get("note_path"):
        metadata["note"] = dg.MetadataValue.path(note["note_path"])
    return dg.AssetObservation(
        asset_key=PUBLISHED,
        description=f"{live}; run {run} refused: {reason}",
        metadata=metadata,
    )


def observe_refused_run(
    instance: dg.DagsterInstance,
    settings: Settings,
    run_id: str,
    step_failures: Iterable[tuple[str, str]] = (),
) -> dg.AssetObservation | None:
    """After run ``run_id`` ended without publishing: note it beside the published report and
    report an observation of ``warehouse/bnd`` saying what is live (Dagster's public
    ``report_runless_asset_event``). Nothing when the run made no build of its own (another run
    held the lock), or when this run was observed already (a sensor after ``make run``). Never
    raises: the run's own outcome stands whatever happens here."""
    try:
        record = build_record.read(settings)
        if record is None or record.get("run_id") != run_id or _observed(instance, run_id):
            return None
        note = record_refusal(settings, run_id, step_failures)
        observation = refused_run_observation(settings, note)
        instance.report_runless_asset_event(observation)
        return observation
    except Exception:  # a full disk, an unreadable build: the run's result is reported anyway
        log.exception("the refusal of run %s could not be recorded", run_id)
        return None


def _observed(instance: dg.DagsterInstance, run_id: str) -> bool:
    records = instance.fetch_observations(PUBLISHED, limit=20).records
    return any(
        record.asset_observation is not None
        and record.asset_observation.metadata.get("refused_run_id") is not None
        and record.asset_observation.metadata["refused_run_id"].value == run_id
        for record in records
    )
