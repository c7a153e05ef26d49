"""The published file holds marts, audit and raw, and of what dbt built only to make the marts,
just the incremental tables a refresh of fiscal years adds to; what else the refresh reads it
builds again first (``lifecycle.published_schemas``)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.lifecycle.published_schemas import drop_build_only, refresh_inputs, refresh_needs


def _node(kind: str, schema: str, name: str, materialized: str = "") -> tuple[str, dict]:
    config = {"materialized": materialized} if materialized else {}
    return f"{kind}.bnd.{name}", {"name": name, "schema": schema, "config": config}


# A project shaped like ours: the landed lines feed an ephemeral staging model, an incremental
# intermediate table, an incremental mart and an audit that also reads a seed and a view over a
# raw table; a mart of the summary reads another seed and view, never touched by a refresh.
NODES = dict(
    [
        _node("model", "staging", "stg_lines", "ephemeral"),
        _node("model", "intermediate", "int_groups", "incremental"),
        _node("model", "marts", "fct_line", "incremental"),
        _node("model", "audit", "audit_lines", "table"),
        _node("seed", "reference", "ref_lines", "seed"),
        _node("model", "intermediate", "int_cells", "view"),
        _node("model", "staging", "stg_cells", "view"),
        _node("model", "marts", "fct_budget", "table"),
        _node("seed", "reference", "ref_levels", "seed"),
        _node("model", "staging", "stg_plans", "view"),
        _node("model", "marts", "dim_plan", "table"),
        _node("test", "audit", "not_null_fct_line"),
    ]
)
SOURCES = {
    "source.bnd.landing.budget_lines": {
        "source_name": "landing",
        "name": "budget_lines",
        "schema": "main",
    },
    "source.bnd.raw.budget_cells": {"source_name": "raw", "name": "budget_cells", "schema": "raw"},
}
PARENTS = {
    "model.bnd.stg_lines": ["source.bnd.landing.budget_lines"],
    "model.bnd.int_groups": ["model.bnd.stg_lines"],
    "model.bnd.fct_line": ["model.bnd.stg_lines"],
    "model.bnd.audit_lines": ["model.bnd.int_groups", "seed.bnd.ref_lines", "model.bnd.int_cells"],
    "model.bnd.int_cells": ["model.bnd.stg_cells", "seed.bnd.ref_lines"],
    "model.bnd.stg_cells": ["source.bnd.raw.budget_cells"],
    "model.bnd.fct_budget": ["model.bnd.int_cells", "seed.bnd.ref_levels"],
    "model.bnd.dim_plan": ["model.bnd.stg_plans"],
    "test.bnd.not_null_fct_line": ["model.bnd.fct_line", "model.bnd.fct_budget"],
    "unit_test.bnd.fct_line_unit": ["model.bnd.stg_plans"],
}


def _children(parents: dict[str, list[str]]) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {}
    for child, of in parents.items():
        for parent in of:
            children.setdefault(parent, []).append(child)
    return children


MANIFEST = {
    "nodes": NODES,
    "sources": SOURCES,
    "parent_map": PARENTS,
    "child_map": _children(PARENTS),
}


def test_a_refresh_keeps_the_incremental_state_and_rebuilds_what_it_reads() -> None:
    inputs = refresh_inputs(MANIFEST)
    assert inputs is not None
    # the other years of an incremental model outside marts and audit (an incremental mart is
    # in the published file anyway)
    assert inputs.kept == {("intermediate", "int_groups")}
    # a seed the audit reads, a view it reads and what that view reads, built again from raw;
    # nothing that only a table of the published file or a source stands behind
    assert inputs.rebuilt == ["int_cells", "ref_lines", "stg_cells"]
    assert refresh_needs(MANIFEST) == inputs.kept


def test_without_a_manifest_nothing_can_be_told() -> None:
    assert refresh_needs({}) is None and refresh_inputs({}) is None
    assert refresh_needs({"nodes": NODES}) is None  # no landed lines in the project


def _build(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            create schema raw; create schema staging; create schema intermediate;
            create schema reference; create schema marts; create schema audit;
            create table raw.budget_cells (amount int);
            create view staging.stg_cells as select * from raw.budget_cells;
            create view staging.stg_plans as select 1 as plan;
            create table reference.ref_lines (line varchar);
            create table reference.ref_levels (level varchar);
            create view intermediate.int_cells as
                select * from staging.stg_cells, reference.ref_lines;
            create table intermediate.int_groups (fiscal_year int);
            create table marts.dim_plan (plan int primary key);
            create table marts.fct_budget (plan int references marts.dim_plan (plan));
            create table audit.audit_lines (status varchar);
            """
        )


def _relations(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return set(
        con.execute(
            "select schema_name, table_name from duckdb_tables() union all "
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
    )


def test_the_build_keeps_marts_audit_raw_and_the_incremental_state(tmp_path: Path) -> None:
    _build(tmp_path / "bnd.duckdb")
    with duckdb.connect(str(tmp_path / "bnd.duckdb")) as con:
        dropped = drop_build_only(con, refresh_needs(MANIFEST))
        assert dropped == ["reference", "staging"]
        assert _relations(con) == {
            ("raw", "budget_cells"),
            ("marts", "dim_plan"),
            ("marts", "fct_budget"),
            ("audit", "audit_lines"),
            ("intermediate", "int_groups"),
        }

        assert drop_build_only(con, set()) == ["intermediate"]
        schemas = con.execute(
            "select schema_name from duckdb_schemas() "
            "where database_name = current_database() order by 1"
        ).fetchall()
    assert [name for (name,) in schemas] == ["audit", "main", "marts", "raw"]


def test_without_a_manifest_the_build_keeps_everything(tmp_path: Path) -> None:
    _build(tmp_path / "bnd.duckdb")
    with duckdb.connect(str(tmp_path / "bnd.duckdb")) as con:
        before = _relations(con)
        assert drop_build_only(con, None) == []
        assert _relations(con) == before
