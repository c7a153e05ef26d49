"""A failed dbt test's rows, read back from the build for the run's output and the report."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.checks.dbt_results import MAX_FAILING_ROWS, add_failing_rows, describe


def test_failed_and_warned_tests_get_their_rows_and_others_none(tmp_path: Path) -> None:
    db = tmp_path / "build.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table t as select range as n, 1.5::decimal(9, 2) as d from range(60)")
    records = [
        {"check_id": "test.p.failing", "offending_rows": []},
        {"check_id": "test.p.passing", "offending_rows": []},
        {"check_id": "test.p.broken", "offending_rows": []},
    ]
    run_results = {
        "results": [
            {
                "unique_id": "test.p.failing",
                "status": "fail",
                "compiled_code": "select * from t\n-- c",
            },
            {"unique_id": "test.p.passing", "status": "pass", "compiled_code": "select * from t"},
            {"unique_id": "test.p.broken", "status": "warn", "compiled_code": "select * from nope"},
        ]
    }
    failing, passing, broken = add_failing_rows(records, run_results, db)
    assert len(failing["offending_rows"]) == MAX_FAILING_ROWS
    assert failing["offending_rows"][0] == {"n": 0, "d": 1.5}
    assert passing["offending_rows"] == [] and broken["offending_rows"] == []


def test_an_accepted_values_test_on_some_rows_says_which() -> None:
    node = {
        "resource_type": "test",
        "depends_on": {"nodes": ["model.bnd.audit_local_reconciliation"]},
        "test_metadata": {
            "name": "accepted_values",
            "kwargs": {"column_name": "status", "values": ["MATCH", "NOT_COMPARED"]},
        },
        "config": {"where": "check_code = 'book_total'"},
    }
    assert describe(node) == (
        "audit_local_reconciliation.status is one of: MATCH, NOT_COMPARED "
        "where check_code = 'book_total'"
    )
    node["config"] = {}
    assert describe(node) == "audit_local_reconciliation.status is one of: MATCH, NOT_COMPARED"
