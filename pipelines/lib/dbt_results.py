"""dbt test results in plain words, for the data-quality report (no Dagster here).

``run_results.json`` says which test passed; the manifest says what the test checks. This joins
the two into one record per test, worded for an analyst: "marts.fct_budget.fiscal_year is never
empty" rather than ``not_null_fct_budget_fiscal_year``.
"""

from __future__ import annotations

from typing import Any

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
        return f"{subject} is one of: {values}"
    if name == "relationships":
        target = str(kwargs.get("to", "")).replace("ref(", "").replace(")", "").strip("'\"")
        return f"every {subject} exists in {target}.{kwargs.get('field')}"
    if name == "unique_combination":
        columns = ", ".join(kwargs.get("combination_of_columns") or kwargs.get("columns") or [])
        return f"{relation} has exactly one row per {columns}"
    return _first_line(node) or f"{name or node.get('name')} on {subject}"


def _first_line(node: dict[str, Any]) -> str:
    return (node.get("description") or "").strip().split("\n")[0]
