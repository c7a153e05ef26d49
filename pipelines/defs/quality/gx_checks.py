"""Quality: the Great Expectations suites, as blocking asset checks on the marts they vouch for.

``budget_reconciliation`` and ``budget_coverage`` check ``marts.fct_budget``; ``plan_structure``
checks the plan documents and how they join the facts, on ``marts.fct_budget_formulation``. All run
in one step, so that "audit passed" in the build record means every suite passed.
"""

import json
import time

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.lib import build_record, progress
from pipelines.lib.check_report import markdown_table
from pipelines.lib.dq_report import GX_RESULTS
from pipelines.lib.failpoints import failpoint
from pipelines.lib.gx_audit import run_suites

FCT_BUDGET = dg.AssetKey(["marts", "fct_budget"])
FCT_BUDGET_FORMULATION = dg.AssetKey(["marts", "fct_budget_formulation"])
# GX suite (= checkpoint) name → the dbt audit table it validates.
SUITE_TABLES = {
    "budget_reconciliation": dg.AssetKey(["audit", "audit_budget_reconciliation"]),
    "budget_coverage": dg.AssetKey(["audit", "audit_budget_coverage"]),
    "plan_structure": dg.AssetKey(["audit", "audit_plan_structure"]),
}
# GX suite → the mart whose check it is (a failure blocks publishing either way).
SUITE_ASSETS = {
    "budget_reconciliation": FCT_BUDGET,
    "budget_coverage": FCT_BUDGET,
    "plan_structure": FCT_BUDGET_FORMULATION,
}


def check_name(suite: str) -> str:
    return f"gx_{suite}"


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            name=check_name(suite),
            asset=SUITE_ASSETS[suite],
            additional_deps=[table],
            blocking=True,
            description=f"Great Expectations suite `{suite}` on `{'.'.join(table.path)}`.",
        )
        for suite, table in SUITE_TABLES.items()
    ],
)
def gx_suites(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Validate the build's audit tables with GX; any failed expectation blocks publishing."""
    started, settings = time.monotonic(), warehouse.settings
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        frames = {
            suite: con.execute(f"select * from {'.'.join(table.path)} order by all").df()
            for suite, table in SUITE_TABLES.items()
        }
    outcomes = run_suites(
        frames,
        work_dir=settings.build_dir / "gx",
        docs_dir=settings.build_reports_dir / "gx",
    )
    (settings.build_reports_dir / GX_RESULTS).write_text(
        json.dumps([_as_dict(outcome) for outcome in outcomes], indent=2, default=str),
        encoding="utf-8",
    )
    failpoint("audit", settings.build_dir)
    evaluated = sum(len(outcome.expectations) for outcome in outcomes)
    failed = sum(len(outcome.failures) for outcome in outcomes)
    progress.done(
        "audit",
        f"{len(outcomes)} GX suites: {evaluated - failed} expectations passed, {failed} failed",
        started,
    )
    if not failed:
        build_record.mark_passed(
            settings,
            context.run.run_id,
            "audit",
            checks={"gx_expectations": {"passed": evaluated, "failed": 0}},
        )
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


def _as_dict(outcome) -> dict:
    return {
        "suite": outcome.suite,
        "success": outcome.success,
        "expectations": [vars(expectation) for expectation in outcome.expectations],
    }
