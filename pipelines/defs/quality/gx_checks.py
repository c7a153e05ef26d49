"""Quality: the Great Expectations suites, as blocking asset checks on the marts they vouch for.

``budget_reconciliation`` and ``budget_coverage`` check ``marts.fct_budget``; ``plan_structure``
checks the plan documents and how they join the facts, on ``marts.fct_budget_formulation``. The
budget lines have their own suites on ``marts.fct_budget_line``: ``budget_line_subtotals`` and
``budget_line_reconciliation`` (across grains, against ``fct_budget``). Each group runs in one
step, so that "audit passed" in the build record means every suite of the group passed.

The reconciliations are computed in DuckDB by the dbt audit models; GX validates those small
audit tables (a refresh of some fiscal years validates the subtotals of those years only).
"""

import json
from collections.abc import Iterator, Mapping

import dagster as dg
import duckdb

from pipelines.checks.check_list import GX_RESULTS
from pipelines.checks.check_report import markdown_table
from pipelines.checks.gx_audit import SuiteOutcome, run_suites
from pipelines.defs.resources import WarehouseResource
from pipelines.lifecycle import build_record
from pipelines.lifecycle.step import build_step
from pipelines.reports.gx_docs import write_gx_docs

FCT_BUDGET = dg.AssetKey(["marts", "fct_budget"])
FCT_BUDGET_FORMULATION = dg.AssetKey(["marts", "fct_budget_formulation"])
FCT_BUDGET_LINE = dg.AssetKey(["marts", "fct_budget_line"])
# GX suite (= checkpoint) name → the dbt audit table it validates.
SUITE_TABLES = {
    "budget_reconciliation": dg.AssetKey(["audit", "audit_budget_reconciliation"]),
    "budget_coverage": dg.AssetKey(["audit", "audit_budget_coverage"]),
    "plan_structure": dg.AssetKey(["audit", "audit_plan_structure"]),
}
LINE_SUITE_TABLES = {
    "budget_line_subtotals": dg.AssetKey(["audit", "audit_budget_line_subtotals"]),
    "budget_line_reconciliation": dg.AssetKey(["audit", "audit_budget_line_reconciliation"]),
}
# Audit tables kept by fiscal year: a run validates the rows of the years it reprocessed.
BY_FISCAL_YEAR = {"budget_line_subtotals"}
# GX suite → the mart whose check it is (a failure blocks publishing either way).
SUITE_ASSETS = {
    "budget_reconciliation": FCT_BUDGET,
    "budget_coverage": FCT_BUDGET,
    "plan_structure": FCT_BUDGET_FORMULATION,
    "budget_line_subtotals": FCT_BUDGET_LINE,
    "budget_line_reconciliation": FCT_BUDGET_LINE,
}


def check_name(suite: str) -> str:
    return f"gx_{suite}"


def _specs(tables: Mapping[str, dg.AssetKey]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=check_name(suite),
            asset=SUITE_ASSETS[suite],
            additional_deps=[table],
            blocking=True,
            description=f"Great Expectations suite `{suite}` on `{'.'.join(table.path)}`.",
        )
        for suite, table in tables.items()
    ]


@dg.multi_asset_check(specs=_specs(SUITE_TABLES))
def gx_suites(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Validate the build's audit tables with GX; any failed expectation blocks publishing."""
    yield from _validate(context, warehouse, SUITE_TABLES, step_name="audit")


@dg.multi_asset_check(specs=_specs(LINE_SUITE_TABLES))
def gx_line_suites(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Validate the audit tables of the budget lines with GX; a failure blocks publishing."""
    yield from _validate(context, warehouse, LINE_SUITE_TABLES, step_name="audit_lines")


def _validate(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    tables: Mapping[str, dg.AssetKey],
    step_name: str,
) -> Iterator[dg.AssetCheckResult]:
    settings = warehouse.settings
    with build_step(settings, context.run.run_id, "audit") as step:
        record = build_record.read(settings) or {}
        years = ", ".join(str(year) for year in record.get("fiscal_years", [])) or "null"
        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            frames = {
                suite: con.execute(
                    f"select * from {'.'.join(table.path)} "
                    + (f"where fiscal_year in ({years}) " if suite in BY_FISCAL_YEAR else "")
                    + "order by all"
                ).df()
                for suite, table in tables.items()
            }
        outcomes = run_suites(frames, work_dir=settings.build_dir / "gx")
        write_gx_docs(settings.build_dir / "gx", settings.build_reports_dir / "gx")
        _keep_results(settings.build_reports_dir / GX_RESULTS, outcomes)
        evaluated = sum(len(outcome.expectations) for outcome in outcomes)
        failed = sum(len(outcome.failures) for outcome in outcomes)
        step.summary = (
            f"{len(outcomes)} GX suites: {evaluated - failed} expectations passed, {failed} failed"
        )
        if not failed:
            step.passed(step_name)
    for outcome in outcomes:
        failures = outcome.failures
        offending = [row for failure in failures for row in failure.offending_rows]
        yield dg.AssetCheckResult(
            check_name=check_name(outcome.suite),
            asset_key=SUITE_ASSETS[outcome.suite],
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "expectations_evaluated": len(outcome.expectations),
                "expectations_failed": len(failures),
                "failed_expectations": dg.MetadataValue.json(
                    [failure.description for failure in failures]
                ),
                "offending_rows": dg.MetadataValue.json(offending),
                "offending_rows_table": dg.MetadataValue.md(markdown_table(offending)),
                "rows_validated": len(frames[outcome.suite]),
            },
        )


def _keep_results(path, outcomes: list[SuiteOutcome]) -> None:
    """Add these suites' results to the build's ``gx_results.json`` (replacing earlier ones)."""
    suites = {outcome.suite for outcome in outcomes}
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    results = [item for item in kept if item["suite"] not in suites]
    results += [_as_dict(outcome) for outcome in outcomes]
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


def _as_dict(outcome: SuiteOutcome) -> dict:
    return {
        "suite": outcome.suite,
        "success": outcome.success,
        "expectations": [vars(expectation) for expectation in outcome.expectations],
    }
