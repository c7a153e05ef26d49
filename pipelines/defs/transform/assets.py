"""Transform: every dbt model, seed and test as Dagster assets and asset checks."""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines.checks.check_list import DBT_RESULTS
from pipelines.checks.check_report import markdown_table
from pipelines.checks.dbt_results import add_failing_rows, failing_rows_by_test, summarize_tests
from pipelines.checks.gx_audit import preload_great_expectations
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.transform.project import (
    PARTIAL_PARSE_FILE,
    bnd_dbt_project,
    dbt_environment,
    keep_partial_parse,
    prune_invocation_folders,
)
from pipelines.lifecycle.comments import DBT_MANIFEST, read_manifest
from pipelines.lifecycle.published_schemas import refresh_inputs
from pipelines.lifecycle.step import build_step
from pipelines.reports import gx_docs


class BndDbtTranslator(DagsterDbtTranslator):
    """Keys are ``[schema, name]`` (``["marts", "fct_budget"]``); groups follow the flow's folders.

    Sources keep dagster-dbt's default key ``[source, table]``, i.e. ``["raw", "budget_cells"]``,
    which is exactly the key of the ingest asset that lands that table: lineage runs unbroken.
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props.get("schema") or "transform"


TRANSLATOR = BndDbtTranslator(
    # Source tests (on the raw tables) become asset checks too, like every other dbt test.
    settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
)
# dbt's unit tests prove the models' code on fixed inputs, not the data: they run in `make test`
# (tests/integration/test_dbt_unit_tests.py), as dbt advises, not in every build of the data.
DBT_BUILD_FLAGS = ("--exclude-resource-type", "unit_test")
# dbt's tag of the budget-line models (dagster-dbt makes dbt tags asset tags).
LINE_TAG = "budget_lines"


def build_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    every_model: dg.AssetsDefinition,
):
    """Build seeds, staging, intermediate, audit and marts into the run's build file; test them.

    One dbt command for the whole project: a full refresh builds the budget lines' models
    (tag ``budget_lines``, incremental by fiscal year) with the rest; a refresh of some fiscal
    years (``refresh_fiscal_years``) selects only them, and they replace the years that ingest
    wrote into the landing's ``raw.run_fiscal_years``.
    """
    settings = warehouse.settings
    # A failed test's check waits until dbt has finished, so that its rows can be read back from
    # the build and named in the run's output (``offending_rows``), not only "Got 42 results".
    failed_checks: list[dg.AssetCheckResult] = []
    with build_step(settings, context.run_id, "transform") as step, dbt_environment(settings):
        if context.is_subset:
            _rebuild_what_the_published_file_leaves_out(dbt)
        invocation = dbt.cli(["build", *DBT_BUILD_FLAGS], context=context)
        # GX's import (seconds of CPU) now runs in a thread while dbt builds in its own process.
        preload_great_expectations(also=gx_docs.prepare)
        prune_invocation_folders(keep=invocation.target_path)
        try:
            try:
                for event in invocation.stream():  # raises when a model or a test failed
                    if isinstance(event, dg.AssetCheckResult) and not event.passed:
                        failed_checks.append(event)
                        continue
                    yield event
                    step.failpoint()  # killed here, dbt is still building
            finally:  # the report needs the test results of a failed build most of all
                run_results = keep_test_results(
                    invocation.target_path, settings.build_reports_dir, settings.build_db
                )
                keep_partial_parse(
                    invocation.target_path / PARTIAL_PARSE_FILE,
                    invocation.target_path.parent / PARTIAL_PARSE_FILE,
                )
        except Exception:
            yield from _with_failing_rows(failed_checks, settings.build_reports_dir)
            raise
        yield from _with_failing_rows(failed_checks, settings.build_reports_dir)
        counts = test_counts(run_results)
        lines_only = context.is_subset and _selects_all_line_models(context, every_model)
        what = "budget lines" if lines_only else "dbt build"
        step.summary = f"{what}: {counts['passed']} tests passed, {counts['warned']} warned"
        # Only a whole selection with every test vouches for the build, not a selection from the
        # UI (leaving out any model or any test makes the step a subset): the whole project, or
        # every budget-line model with its tests.
        if not context.is_subset:
            step.passed("transform")
            step.passed("transform_lines")
        elif lines_only:
            step.passed("transform_lines")


def _rebuild_what_the_published_file_leaves_out(dbt: DbtCliResource) -> None:
    """A refresh of some fiscal years builds on a copy of the published file, which keeps only
    the incremental tables of what dbt built to make the marts (``published_schemas``): the
    seeds and views its models read are built again first, from the raw tables (seconds)."""
    inputs = refresh_inputs(read_manifest(DBT_MANIFEST))
    if inputs is None or not inputs.rebuilt:
        return
    # one --select value naming them all (dagster-dbt reads a --select of its own args as one)
    selection = ["--select", " ".join(inputs.rebuilt), "--resource-type", "seed"]
    dbt.cli(["build", *selection, "--resource-type", "model"], raise_on_error=True).wait()


def build_dbt_models() -> dg.AssetsDefinition:
    """Every dbt model, seed and test of the project as assets and checks, run by
    ``build_dbt``. Built with the definitions (``definitions.build_definitions``) since it reads
    dbt's manifest: importing this module needs none (``python -m pipelines prepare`` makes it)."""

    @dbt_assets(
        manifest=bnd_dbt_project.manifest_path,
        project=bnd_dbt_project,
        dagster_dbt_translator=TRANSLATOR,
    )
    def bnd_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ):
        """One dbt build of the project (or of the budget lines) into the run's build file."""
        yield from build_dbt(context, dbt, warehouse, every_model=bnd_dbt_models)

    return bnd_dbt_models


def _selects_all_line_models(
    context: dg.AssetExecutionContext, every_model: dg.AssetsDefinition
) -> bool:
    """Whether the run selected every budget-line model of ``every_model`` (the whole dbt
    project's assets, not the run's subset) and every test of them."""
    models = {spec.key for spec in every_model.specs if LINE_TAG in spec.tags}
    tests = {spec.key for spec in every_model.check_specs if spec.asset_key in models}
    return models <= context.selected_asset_keys and tests <= context.selected_asset_check_keys


def _with_failing_rows(
    checks: list[dg.AssetCheckResult], reports_dir: Path
) -> list[dg.AssetCheckResult]:
    """The failed checks with the rows ``keep_test_results`` read back for them, if any."""
    path = reports_dir / DBT_RESULTS
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    rows = failing_rows_by_test(kept)
    result = []
    for check in checks:
        unique_id = getattr(check.metadata.get("unique_id"), "value", None)
        offending = rows.get(str(unique_id), [])
        result.append(
            check._replace(
                metadata={
                    **check.metadata,
                    "offending_rows": dg.MetadataValue.json(offending),
                    "offending_rows_table": dg.MetadataValue.md(markdown_table(offending)),
                }
            )
            if offending
            else check
        )
    return result


def keep_test_results(
    target_path: Path, reports_dir: Path, db_path: Path | None = None
) -> dict[str, Any]:
    """dbt's test results, in plain words, into the build's reports (``dbt_results.json``).

    A failed or warned data test keeps the rows it found (read back from ``db_path``). A test
    already there (from the published build a refresh of some fiscal years starts from)
    is replaced by this run's result of it. Returns ``run_results.json`` as read (empty when dbt
    wrote none)."""
    run_results_file, manifest = target_path / "run_results.json", target_path / "manifest.json"
    if not (run_results_file.is_file() and manifest.is_file()):
        return {"results": []}
    run_results = json.loads(run_results_file.read_text(encoding="utf-8"))
    records = summarize_tests(run_results, json.loads(manifest.read_text(encoding="utf-8")))
    if db_path is not None:
        records = add_failing_rows(records, run_results, db_path)
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / DBT_RESULTS
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    ours = {record["check_id"] for record in records}
    records = [*(record for record in kept if record["check_id"] not in ours), *records]
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    return run_results


def test_counts(run_results: Mapping[str, Any]) -> dict[str, int]:
    """dbt tests (data and unit tests) of one invocation by outcome: passed, warned, failed."""
    statuses = [
        result["status"]
        for result in run_results["results"]
        if result["unique_id"].split(".")[0] in ("test", "unit_test")
    ]
    passed, warned = statuses.count("pass"), statuses.count("warn")
    return {"passed": passed, "warned": warned, "failed": len(statuses) - passed - warned}
