"""What the published file holds: ``marts`` for readers, ``audit`` and ``raw`` for provenance, and
of what dbt built only to make the marts, just the tables no refresh could make again.

dbt builds the marts in the build file from views (``staging``, ``intermediate``) and seeds
(``reference``). BI tools list every schema of the file they open, so publishing drops those
schemas from the build, before its checkpoint. Nothing that readers query depends on them: the
marts and audits are tables, and the marts' foreign keys refer to marts only.

A refresh of some fiscal years (``refresh_fiscal_years``) starts from a copy of the published file
and rebuilds only the budget-line models (those downstream of the landed lines). What they read
outside ``marts``, ``audit`` and ``raw`` (seeds, views, and what those read in turn) it builds
again first, from the raw tables (``RefreshInputs.rebuilt``); only the incremental models' tables
outside those schemas, which hold the other years, are kept (``RefreshInputs.kept``): today three
tables of ``intermediate``. Both are found in dbt's manifest. Without a manifest nothing can be
told, so nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from pipelines.core.sql import quote_identifier

# The schemas readers need: the star schema, and what traces its figures back to the files.
PUBLISHED_SCHEMAS = ("marts", "audit", "raw")
# DuckDB's own schema of every database: it cannot be dropped, and the build leaves it empty.
DUCKDB_SCHEMA = "main"
# The dbt source a refresh of fiscal years lands: the budget-line models are those downstream.
LANDED_LINES = ("landing", "budget_lines")

Relation = tuple[str, str]  # schema, name


@dataclass(frozen=True)
class RefreshInputs:
    """What a refresh of fiscal years needs outside ``PUBLISHED_SCHEMAS``."""

    kept: set[Relation]  # incremental tables holding the other years: kept in the published file
    rebuilt: list[str]  # seeds and models it reads: built again first (dbt node names, sorted)


def refresh_inputs(manifest: Mapping[str, Any]) -> RefreshInputs | None:
    """What a refresh of fiscal years reads or adds to outside ``PUBLISHED_SCHEMAS``; None
    without a manifest (keep everything)."""
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    parents: dict[str, list[str]] = manifest.get("parent_map", {})
    children: dict[str, list[str]] = manifest.get("child_map", {})
    landed = [
        key
        for key, node in manifest.get("sources", {}).items()
        if (node.get("source_name"), node.get("name")) == LANDED_LINES
    ]
    if not nodes or not landed:
        return None
    refreshed, pending = set(), list(landed)
    while pending:
        for child in children.get(pending.pop(), []):
            # dbt's unit tests (not in ``nodes``) never run in a build of the data
            if child not in refreshed and child in nodes:
                refreshed.add(child)
                pending.append(child)
    kept: set[Relation] = set()
    rebuilt: set[str] = set()
    read: list[str] = []
    for key in refreshed:
        node = nodes.get(key, {})
        if _materialized(node) == "incremental" and not _published(node):
            kept.add(_relation(node))  # its other years
        read += [p for p in parents.get(key, []) if p not in refreshed and p not in landed]
    seen: set[str] = set()
    while read:
        key = read.pop()
        if key in seen or key not in nodes or key.startswith("source."):
            continue  # sources (raw, landing) are there
        seen.add(key)
        node = nodes[key]
        if _published(node):
            continue  # in the copy of the published file
        if _materialized(node) == "incremental":
            kept.add(_relation(node))
            continue
        if _materialized(node) != "ephemeral":
            rebuilt.add(str(node.get("name")))
        read += parents.get(key, [])
    return RefreshInputs(kept=kept, rebuilt=sorted(rebuilt))


def refresh_needs(manifest: Mapping[str, Any]) -> set[Relation] | None:
    """The relations outside ``PUBLISHED_SCHEMAS`` the published file keeps for a refresh of
    fiscal years; None without a manifest (keep everything)."""
    inputs = refresh_inputs(manifest)
    return None if inputs is None else inputs.kept


def _published(node: Mapping[str, Any]) -> bool:
    return str(node.get("schema")) in PUBLISHED_SCHEMAS


def _materialized(node: Mapping[str, Any]) -> str:
    return str(node.get("config", {}).get("materialized", ""))


def _relation(node: Mapping[str, Any]) -> Relation:
    return (
        str(node.get("schema")),
        str(node.get("alias") or node.get("identifier") or node["name"]),
    )


def drop_build_only(con: duckdb.DuckDBPyConnection, keep: set[Relation] | None) -> list[str]:
    """Drop every schema of the build but ``PUBLISHED_SCHEMAS`` (and DuckDB's own), keeping the
    relations of ``keep`` (None: drop nothing); returns the schemas dropped whole."""
    if keep is None:
        return []
    relations = con.execute(
        """select schema_name, view_name, 'view' from duckdb_views()
           where database_name = current_database() and not internal
           union all
           select schema_name, table_name, 'table' from duckdb_tables()
           where database_name = current_database()"""
    ).fetchall()
    schemas = [
        name
        for (name,) in con.execute(
            "select schema_name from duckdb_schemas() "
            "where database_name = current_database() and not internal order by 1"
        ).fetchall()
        if name not in PUBLISHED_SCHEMAS and name != DUCKDB_SCHEMA
    ]
    dropped = []
    con.execute("begin transaction")
    try:
        for schema in schemas:
            kept = {name for own, name, _ in relations if own == schema and (own, name) in keep}
            if not kept:
                con.execute(f"drop schema {quote_identifier(schema)} cascade")
                dropped.append(schema)
                continue
            for own, name, kind in sorted(relations, key=lambda row: row[2] != "view"):
                if own == schema and name not in kept:
                    con.execute(f"drop {kind} {quote_identifier(schema)}.{quote_identifier(name)}")
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return dropped
