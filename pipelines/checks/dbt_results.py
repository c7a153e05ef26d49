"""dbt test results in plain words, for the data-quality report (no Dagster here).

``run_results.json`` says which test passed; the manifest says what the test checks. This joins
the two into one record per test, worded for an analyst: "marts.fct_budget.fiscal_year is never
empty" rather than ``not_null_fct_budget_fiscal_year``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from pipelines.core.sql import json_rows

STATUS = {"pass": "pass", "fail": "fail", "warn": "warn", "error": "error", "skipped": "not_run"}


def summarize_tests(run_results: dict[str, Any], manifest: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    records = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        kind = unique_id.split(".")[0]
        if kind not in ("test", "unit_test"):
            continue
        node = nodes.get(unique_id, {})
        severity = str((node.get("config") or {}).get("severity") or "error").lower()
        records.append(
            {
                "check_id": unique_id,
                "source": "dbt",
                "kind": "dbt_unit_test" if kind == "unit_test" else "dbt_test",
                "description": describe(node) if node else unique_id,
                "severity": severity,
                "status": STATUS.get(result["status"], result["status"]),
                "observed": result.get("failures"),
                "expected": (node.get("test_metadata") or {}).get("kwargs") or None,
                "message": result.get("message"),
                "asset": _tested_relation(node),
                "offending_rows": [],
            }
        )
    return records


# How many failing rows of one dbt test are read back for the run's output and the report.
MAX_FAILING_ROWS = 50


def add_failing_rows(
    records: list[dict[str, Any]], run_results: dict[str, Any], db_path: Path
) -> list[dict[str, Any]]:
    """Each failed or warned data test's rows (``offending_rows``), read from the build.

    dbt reports only "Got 42 results"; a reader needs the rows: for a failed comparison the file,
    year, account, both figures and the ratio. The test's own compiled query is run again on the
    build's database (read-only, after dbt has finished), at most ``MAX_FAILING_ROWS`` rows. A
    test whose query cannot run here (one that reads another attached file) keeps no rows: the
    report still names it, and the failure it reports stands."""
    compiled = {
        result["unique_id"]: result.get("compiled_code")
        for result in run_results.get("results", [])
        if result.get("status") in ("fail", "warn") and result.get("compiled_code")
    }
    wanted = [record for record in records if record["check_id"] in compiled]
    if not wanted or not db_path.is_file():
        return records
    with duckdb.connect(str(db_path), read_only=True) as con:
        for record in wanted:
            record["offending_rows"] = failing_rows(con, compiled[record["check_id"]])
    return records


def failing_rows(con: duckdb.DuckDBPyConnection, compiled_sql: str) -> list[dict[str, Any]]:
    """The rows a dbt data test's compiled query returns (its failures), as plain values."""
    query = compiled_sql.strip().rstrip(";")
    try:
        cursor = con.execute(f"select * from (\n{query}\n) limit {MAX_FAILING_ROWS}")
    except duckdb.Error:
        return []
    return json_rows(cursor)


def failing_rows_by_test(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """unique_id → the offending rows kept for it (only tests that have some)."""
    return {
        record["check_id"]: record["offending_rows"]
        for record in records
        if record.get("offending_rows")
    }


def _tested_relation(node: dict[str, Any]) -> str | None:
    attached = node.get("attached_node") or node.get("model")
    if attached:
        return attached.split(".")[-1]
    depends = (node.get("depends_on") or {}).get("nodes") or []
    return ".".join(depends[0].split(".")[2:]) if depends else None


def describe(node: dict[str, Any]) -> str:
    """One sentence saying what a dbt test checks."""
    if node.get("resource_type") == "unit_test":
        return f"unit test `{node.get('name')}` of model {node.get('model')}: {_first_line(node)}"
    metadata = node.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    relation = _tested_relation(node) or "?"
    column = kwargs.get("column_name") or node.get("column_name")
    subject = f"{relation}.{column}" if column else relation
    name = metadata.get("name")
    if name == "not_null":
        return f"{subject} is never empty"
    if name == "unique":
        return f"{subject} is unique"
    if name == "accepted_values":
        values = ", ".join(str(value) for value in kwargs.get("values") or [])
        where = (node.get("config") or {}).get("where")
        return f"{subject} is one of: {values}" + (f" where {where}" if where else "")
    if name == "relationships":
        target = str(kwargs.get("to", "")).replace("ref(", "").replace(")", "").strip("'\"")
        return f"every {subject} exists in {target}.{kwargs.get('field')}"
    if name == "unique_combination":
        columns = ", ".join(kwargs.get("combination_of_columns") or kwargs.get("columns") or [])
        return f"{relation} has exactly one row per {columns}"
    return _first_line(node) or f"{name or node.get('name')} on {subject}"


def _first_line(node: dict[str, Any]) -> str:
    return (node.get("description") or "").strip().split("\n")[0]
