"""What the published file holds: ``marts`` for readers, ``audit`` and ``raw`` for provenance, and
of what dbt built only to make the marts, just what the next refresh of fiscal years builds on.

dbt builds the marts in the build file from views (``staging``, ``intermediate``) and seeds
(``reference``). BI tools list every schema of the file they open, so publishing drops those
schemas from the build, before its checkpoint. Nothing that readers query depends on them: the
marts and audits are tables, and the marts' foreign keys refer to marts only.

A refresh of some fiscal years (``refresh_fiscal_years``) starts from a copy of the published file
and rebuilds only the budget-line models (those downstream of the landed lines), so it needs what
they read and do not build (seeds, and the views those read in turn), and the incremental
models' tables outside ``marts`` and ``audit``, which hold the other years. Those relations are
found in dbt's manifest (``refresh_needs``) and kept; everything else built only to make the
marts goes. Without a manifest nothing can be told, so nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb

from pipelines.core.sql import quote_identifier

# The schemas readers need: the star schema, and what traces its figures back to the files.
PUBLISHED_SCHEMAS = ("marts", "audit", "raw")
# DuckDB's own schema of every database: it cannot be dropped, and the build leaves it empty.
DUCKDB_SCHEMA = "main"
# The dbt source a refresh of fiscal years lands: the budget-line models are those downstream.
LANDED_LINES = ("landing", "budget_lines")
# Relations that compute their rows when read: what they read must be kept with them.
READ_THROUGH = ("view", "ephemeral")

Relation = tuple[str, str]  # schema, name


def refresh_needs(manifest: Mapping[str, Any]) -> set[Relation] | None:
    """The relations outside ``PUBLISHED_SCHEMAS`` that a refresh of fiscal years reads or adds
    to; None without a manifest (keep everything)."""
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
    rebuilt, pending = set(), list(landed)
    while pending:
        for child in children.get(pending.pop(), []):
            # dbt's unit tests (not in ``nodes``) never run in a build of the data
            if child not in rebuilt and child in nodes:
                rebuilt.add(child)
                pending.append(child)
    needed: set[Relation] = set()
    read: list[str] = []
    for key in rebuilt:
        node = nodes.get(key, {})
        if _materialized(node) == "incremental":
            needed.add(_relation(node))  # its other years
        read += [p for p in parents.get(key, []) if p not in rebuilt and p not in landed]
    seen: set[str] = set()
    while read:
        key = read.pop()
        if key in seen or key not in nodes:
            continue
        seen.add(key)
        node = nodes[key]
        if _materialized(node) in READ_THROUGH:
            read += parents.get(key, [])
        if _materialized(node) != "ephemeral":
            needed.add(_relation(node))
    return {relation for relation in needed if relation[0] not in PUBLISHED_SCHEMAS}


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
