"""The marts' grain, keys and code lists are contract constraints that DuckDB enforces while dbt
builds: a duplicate, an empty key or an unknown code that reaches a mart fails that model's build,
naming the table and the offending key or column (there is no separate dbt test left for them)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.core.settings import DBT_PROJECT_DIR
from pipelines.landing.budget_lines import land_lines
from tests.integration.conftest import Build

# Grains that used to be dbt `unique_combination` tests, now each mart's primary key.
GRAINS = {
    "fct_budget": ["fiscal_year", "account_code", "level_code", "phase", "source_file"],
    "fct_budget_current": ["fiscal_year", "account_code", "level_code"],
    "fct_budget_reported_total": ["fiscal_year", "account_code", "phase", "source_file"],
    "fct_budget_formulation": ["fiscal_year", "account_code", "level_code", "phase", "source_file"],
    "bridge_budget_formulation_method": ["account_code", "level_code", "method_number"],
    "dim_plan_component": ["plan_code", "component_code"],
}
# Code lists that used to be dbt `accepted_values` tests, now check constraints.
CODE_LISTS = {
    ("fct_budget", "phase"): "'settled'",
    ("fct_budget_reported_total", "total_kind"): "'subtotal'",
    ("dim_budget_change_note", "direction"): "'decrease'",
    ("dim_plan", "plan_kind"): "'regional_action_plans'",
    ("fct_budget_formulation", "formulated_by"): "'mixed'",
}


def test_the_published_marts_carry_their_grain_and_code_lists_as_constraints(
    published_build: Build,
) -> None:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        rows = con.execute(
            """select table_name, constraint_type, constraint_column_names, expression
               from duckdb_constraints() where schema_name = 'marts'"""
        ).fetchall()
    keys = {(table, tuple(columns)) for table, kind, columns, _ in rows if kind == "PRIMARY KEY"}
    for table, columns in GRAINS.items():
        assert (table, tuple(columns)) in keys, table
    checks = {(table, columns[0]): text for table, kind, columns, text in rows if kind == "CHECK"}
    for (table, column), code in CODE_LISTS.items():
        assert code in checks[(table, column)], (table, column)
    assert ("dim_project_area", ("area_order",)) in {
        (table, tuple(columns)) for table, kind, columns, _ in rows if kind == "UNIQUE"
    }


def test_a_duplicate_an_empty_key_or_an_unknown_code_reaching_a_mart_fails_its_build(
    published_build: Build, tmp_path: Path
) -> None:
    build_db, landing_db = tmp_path / "bnd.duckdb", tmp_path / "landing.duckdb"
    shutil.copy2(published_build.settings.published_db, build_db)
    with duckdb.connect(str(landing_db)) as con:
        land_lines(con, [], [])
    with duckdb.connect(str(build_db)) as con:
        # a level twice (dim_level's key), a formulator without its English name
        # (dim_formulator.name_en), and change notes whose direction is neither increase nor
        # decrease (dim_budget_change_note.direction)
        con.execute(
            "insert into reference.ref_levels "
            "from reference.ref_levels where level_code = 'city_province'"
        )
        con.execute("update reference.ref_formulators set name_en = null")
        con.execute("update raw.budget_change_notes set direction_code = 'sideways'")
    target = tmp_path / "target"
    env = {
        **os.environ,
        "BND_BUILD_DB": str(build_db),
        "BND_LANDING_DB": str(landing_db),
        "BND_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb_tmp"),
        "DBT_TARGET_PATH": str(target),
    }
    models = ["dim_level", "dim_formulator", "dim_budget_change_note", "dim_source"]
    completed = subprocess.run(
        [sys.executable, "-m", "dbt.cli.main", "run", "--profiles-dir", ".", "--select", *models],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode != 0
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    status = {result["unique_id"].split(".")[-1]: result for result in results["results"]}
    assert status["dim_source"]["status"] == "success"  # untouched inputs still build
    level = status["dim_level"]
    assert level["status"] == "error" and "duplicate key" in level["message"].lower()
    assert "city_province" in level["message"]
    formulator = status["dim_formulator"]
    assert formulator["status"] == "error"
    assert "NOT NULL constraint failed" in formulator["message"]
    assert "dim_formulator" in formulator["message"] and "name_en" in formulator["message"]
    note = status["dim_budget_change_note"]
    assert note["status"] == "error" and "CHECK constraint failed" in note["message"]
    assert "direction" in note["message"]
    # dbt's own output names each failed model too
    for model in ("dim_level", "dim_formulator", "dim_budget_change_note"):
        assert f"Runtime Error in model {model}" in completed.stdout
