"""The marts' grain, keys, code lists and foreign keys are contract constraints that DuckDB
enforces while dbt builds: a duplicate, an empty key, an unknown code or a key missing from its
dimension that reaches a mart fails that model's build, naming the table and the offending key or
column (there is no separate dbt test left for them)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.integration.conftest import Build, DbtOnCopy, dbt_on_copy

# Grains that used to be dbt `unique_combination` tests, now each mart's primary key.
GRAINS = {
    "fct_budget": ["fiscal_year", "account_code", "level_code", "phase", "source_file"],
    "fct_budget_current": ["fiscal_year", "account_code", "level_code"],
    "fct_budget_reported_total": ["fiscal_year", "account_code", "phase", "source_file"],
    "fct_budget_formulation": ["fiscal_year", "account_code", "level_code", "phase", "source_file"],
    "bridge_budget_formulation_method": ["account_code", "level_code", "method_number"],
    "dim_plan_component": ["plan_code", "component_code"],
    "fct_budget_change": ["fiscal_year", "account_code", "level_code"],
    "bridge_budget_change_note": ["note_number", "fiscal_year", "account_code", "level_code"],
    "fct_special_account_history": [
        "fiscal_year",
        "account_code",
        "phase",
        "source_name",
        "source_kind",
        "source_locator",
    ],
}
# Facts' keys that used to be dbt `relationships` tests, now foreign keys (a sample).
FOREIGN_KEYS = {
    ("fct_budget", "account_code"): "marts.dim_account(account_code)",
    ("fct_budget", "fiscal_year"): "marts.dim_year(fiscal_year)",
    ("fct_budget_formulation", "source_file"): "marts.dim_source(source_file)",
    ("bridge_budget_formulation_method", "method_number"): (
        "marts.dim_formulation_method(method_number)"
    ),
    ("dim_year", "five_year_plan_code"): "marts.dim_plan(plan_code)",
    ("fct_budget_change", "level_code"): "marts.dim_level(level_code)",
    ("fct_budget_change", "previous_fiscal_year"): "marts.dim_year(fiscal_year)",
    ("bridge_budget_change_note", "note_number"): "marts.dim_budget_change_note(note_number)",
    ("fct_special_account_history", "account_code"): "marts.dim_account(account_code)",
    ("dim_account_era", "account_code"): "marts.dim_account(account_code)",
}
# Code lists that used to be dbt `accepted_values` tests, now check constraints.
CODE_LISTS = {
    ("fct_budget", "phase"): "'settled'",
    ("fct_budget_reported_total", "total_kind"): "'subtotal'",
    ("dim_budget_change_note", "direction"): "'decrease'",
    ("dim_plan", "plan_kind"): "'regional_action_plans'",
    ("fct_budget_formulation", "formulated_by"): "'mixed'",
    ("fct_budget_change", "direction"): "'no change'",
    ("fct_budget_change", "is_account_total"): "'all_levels'",
    ("bridge_budget_change_note", "link_basis"): "'inferred_direction_and_size'",
    ("fct_special_account_history", "figure_basis"): "'added up'",
    ("fct_special_account_history", "is_whole_account"): "'bnd_special_account'",
    ("dim_account_era", "mapping"): "'split'",
}


def test_the_published_marts_carry_their_grain_and_code_lists_as_constraints(
    published_build: Build,
) -> None:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        rows = con.execute(
            """select table_name, constraint_type, constraint_column_names,
                      coalesce(expression, constraint_text)
               from duckdb_constraints() where schema_name = 'marts'"""
        ).fetchall()
    keys = {(table, tuple(columns)) for table, kind, columns, _ in rows if kind == "PRIMARY KEY"}
    for table, columns in GRAINS.items():
        assert (table, tuple(columns)) in keys, table
    checks = {(table, columns[0]): text for table, kind, columns, text in rows if kind == "CHECK"}
    references = {
        (table, columns[0]): text for table, kind, columns, text in rows if kind == "FOREIGN KEY"
    }
    for (table, column), parent in FOREIGN_KEYS.items():
        assert references[(table, column)].endswith(f"REFERENCES {parent}"), (table, column)
    for (table, column), code in CODE_LISTS.items():
        assert code in checks[(table, column)], (table, column)
    assert ("dim_project_area", ("area_order",)) in {
        (table, tuple(columns)) for table, kind, columns, _ in rows if kind == "UNIQUE"
    }


def seeded_copy(published_build: Build, folder: Path) -> DbtOnCopy:
    """A copy of the published build without what dbt built, with the seeds loaded again (the
    published file keeps only those a refresh of fiscal years reads): ``dbt_on_copy`` loads
    them, with the views."""
    return dbt_on_copy(published_build.settings.published_db, folder, built=False)


def test_a_duplicate_an_empty_key_or_an_unknown_code_reaching_a_mart_fails_its_build(
    published_build: Build, tmp_path: Path
) -> None:
    dbt = seeded_copy(published_build, tmp_path)
    with duckdb.connect(str(dbt.build_db)) as con:
        # a level twice (dim_level's key), a formulator without its English name
        # (dim_formulator.name_en), and change notes whose direction is neither increase nor
        # decrease (dim_budget_change_note.direction)
        con.execute(
            "insert into reference.ref_levels "
            "from reference.ref_levels where level_code = 'city_province'"
        )
        con.execute("update reference.ref_formulators set name_en = null")
        con.execute("update raw.budget_change_notes set direction_code = 'sideways'")
    models = ["dim_level", "dim_budget_change_note", "dim_source"]
    completed = dbt.run("run", "--select", *(f"+{model}" for model in models))
    assert completed.returncode != 0
    status = dbt.results()
    assert status["dim_source"]["status"] == "success"  # untouched inputs still build
    level = status["dim_level"]
    assert level["status"] == "error" and "duplicate key" in level["message"].lower()
    assert "city_province" in level["message"]
    note = status["dim_budget_change_note"]
    assert note["status"] == "error" and "CHECK constraint failed" in note["message"]
    assert "direction" in note["message"]
    # dim_formulator refers to dim_level (a foreign key): with the levels whole again, it is
    # built and fails on its own fault
    with duckdb.connect(str(dbt.build_db)) as con:
        con.execute(
            """delete from reference.ref_levels where rowid = (
                   select max(rowid) from reference.ref_levels
                   where level_code = 'city_province')"""
        )
    again = dbt.run("run", "--select", "+dim_formulator")
    assert again.returncode != 0
    formulator = dbt.results()["dim_formulator"]
    assert formulator["status"] == "error"
    assert "NOT NULL constraint failed" in formulator["message"]
    assert "dim_formulator" in formulator["message"] and "name_en" in formulator["message"]
    # dbt's own output names each failed model too
    for model, output in (("dim_level", completed), ("dim_budget_change_note", completed)):
        assert f"Runtime Error in model {model}" in output.stdout
    assert "Runtime Error in model dim_formulator" in again.stdout


def test_a_fact_whose_key_is_missing_from_its_dimension_fails_its_build(
    published_build: Build, tmp_path: Path
) -> None:
    dbt = seeded_copy(published_build, tmp_path)
    with duckdb.connect(str(dbt.build_db)) as con:
        # the page's file is no longer among the source files: dim_source lacks it, while the
        # plans the page describes (dim_plan, which dim_year and fct_budget need) still name it
        (page,) = con.execute("select source_file from raw.budget_cells limit 1").fetchone()
        con.execute("delete from raw.source_files where source_file = $file", {"file": page})

    completed = dbt.run("run", "--select", "+fct_budget")

    assert completed.returncode != 0
    status = dbt.results()
    assert status["dim_source"]["status"] == "success"
    plan = status["dim_plan"]
    assert plan["status"] == "error" and "foreign key" in plan["message"].lower()
    assert f'"source_file: {page}" does not exist' in plan["message"]
    assert "Runtime Error in model dim_plan" in completed.stdout
    assert status["fct_budget"]["status"] == "skipped"  # nothing built on a failed dimension
