"""The marts describe themselves: every table and column carries its description as a comment.

BI tools (Superset, Metabase, DBeaver, a SQL IDE) show a table's and a column's comment next to
its name. The descriptions are written once, in the dbt project's YAML (and, for
``marts.meta_build``, in ``build_meta.COLUMN_DOCS``); the publish step copies them from dbt's
manifest into the build as DuckDB comments (``COMMENT ON``), in one connection, before the build is
published: a few hundred statements in milliseconds, where dbt's ``persist_docs`` would add a
statement round trip per column to every build's dbt step.

The YAML is Markdown, which the dbt docs site renders; a BI tool shows a comment as it is. So each
comment is the description as plain text on one line (``plain_text.markdown_to_text``): no
``**Grain**:``, backticks, links or list markers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from pipelines.core.settings import DBT_TARGET_DIR
from pipelines.core.sql import quote_identifier, quote_literal
from pipelines.lifecycle.build_meta import COLUMN_DOCS, META_DESCRIPTION, META_TABLE
from pipelines.lifecycle.plain_text import markdown_to_text

MARTS = "marts"
# The manifest of the dbt project's current sources (``prepare`` writes it before every build).
DBT_MANIFEST = DBT_TARGET_DIR / "manifest.json"
# table → (its description, column → description)
Docs = dict[str, tuple[str, dict[str, str]]]


def mart_docs(manifest: Mapping[str, Any]) -> Docs:
    """The descriptions of every dbt model in ``marts``, and of ``meta_build``."""
    docs: Docs = {
        node["name"]: (
            node.get("description") or "",
            {name: column.get("description") or "" for name, column in node["columns"].items()},
        )
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and node.get("schema") == MARTS
    }
    docs[META_TABLE.split(".")[1]] = (
        META_DESCRIPTION,
        {name: description for name, (_, description) in COLUMN_DOCS.items()},
    )
    return docs


def read_manifest(manifest_path: Path) -> dict[str, Any]:
    """dbt's manifest at ``manifest_path``; empty without one."""
    if not manifest_path.is_file():
        return {}
    return json.loads(manifest_path.read_text(encoding="utf-8"))


def write_comments(con: duckdb.DuckDBPyConnection, docs: Docs) -> int:
    """Comment every table and column of ``marts`` that ``docs`` describes, as plain text, in one
    transaction; returns how many comments were written. Tables or columns the build lacks are
    left out."""
    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = $s",
        {"s": MARTS},
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    statements = []
    for table, (description, columns) in docs.items():
        if table not in existing:
            continue
        qualified = f"{quote_identifier(MARTS)}.{quote_identifier(table)}"
        if text := markdown_to_text(description):
            statements.append(f"comment on table {qualified} is {quote_literal(text)}")
        statements += [
            f"comment on column {qualified}.{quote_identifier(column)} "
            f"is {quote_literal(markdown_to_text(text))}"
            for column, text in columns.items()
            if text.strip() and column in existing[table]
        ]
    con.execute("begin transaction")
    try:
        for statement in statements:
            con.execute(statement)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")
    return len(statements)
