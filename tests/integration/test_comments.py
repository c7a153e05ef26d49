"""The published marts describe themselves: every table and column has its comment, from the
dbt YAML (and ``build_meta`` for ``meta_build``), as plain text, readable by DuckDB 1.x and 2.x
clients alike; the dbt docs keep the Markdown and open on the warehouse's overview."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.core.settings import DBT_PROJECT_DIR, DBT_TARGET_DIR
from pipelines.lifecycle.build_meta import COLUMN_DOCS
from pipelines.lifecycle.comments import mart_docs, write_comments
from pipelines.lifecycle.plain_text import markdown_to_text
from tests.integration.conftest import OLD_CLIENT_PYTHON, Build

QUERY = (
    "select table_name, column_name, comment from duckdb_columns() "
    "where schema_name = 'marts' order by all"
)
TABLES = "select table_name, comment from duckdb_tables() where schema_name = 'marts' order by 1"
# Markdown a BI tool would show as it is: bold, code, links, line breaks (and with them list
# markers and headings at a line's start), table rules, HTML breaks.
MARKUP = re.compile(r"\*\*|__|`|\]\(|\n|\r|<br|^\s*(?:[-*+]|[0-9]+[.)])\s|^#|\|\s*:?-{3}")


def yaml_descriptions() -> dict[tuple[str, str], str]:
    """(table, column) → description, as written in the marts' YAML files."""
    found = {}
    for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            for column in model.get("columns", []):
                found[(model["name"], column["name"])] = column.get("description", "")
    return found


def test_every_mart_column_has_its_yaml_description(published_build: Build) -> None:
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        columns = con.execute(QUERY).fetchall()
        tables = con.execute(TABLES).fetchall()

    assert len(tables) >= 22 and all(comment for _, comment in tables), tables
    missing = [(table, column) for table, column, comment in columns if not comment]
    assert missing == []
    by_column = {(table, column): comment for table, column, comment in columns}
    for key, description in yaml_descriptions().items():
        if "{{" not in description:  # a doc() block is checked for being there, above
            assert by_column[key] == markdown_to_text(description), key
    for column, (_, description) in COLUMN_DOCS.items():
        assert by_column[("meta_build", column)] == markdown_to_text(description)


def _comments_read_by(python: Path, database: Path) -> dict:
    """The marts' comments as the DuckDB client of ``python`` reads them, with its version."""
    script = textwrap.dedent(
        f"""
        import json, duckdb
        con = duckdb.connect({str(database)!r}, read_only=True)
        print(json.dumps({{"version": duckdb.__version__,
                          "columns": con.execute({QUERY!r}).fetchall(),
                          "tables": con.execute({TABLES!r}).fetchall()}}))
        """
    )
    completed = subprocess.run(
        [str(python), "-c", script], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize(
    ("python", "major"), [(OLD_CLIENT_PYTHON, "1."), (Path(sys.executable), "2.")], ids=["1x", "2x"]
)
def test_duckdb_clients_read_the_comments_as_plain_text(
    published_build: Build, python: Path, major: str
) -> None:
    assert python.is_file(), "the DuckDB 1.x environment is made by `make test`"
    answer = _comments_read_by(python, published_build.settings.published_db)
    assert answer["version"].startswith(major)
    columns, tables = answer["columns"], answer["tables"]
    assert columns and all(comment for _, _, comment in columns)
    assert tables and all(comment for _, comment in tables)
    marked = [
        (table, column, comment)
        for table, column, comment in [*columns, *((table, "", text) for table, text in tables)]
        if MARKUP.search(comment)
    ]
    assert marked == []
    # what was markup in the YAML is words now
    assert "Grain: one row per" in dict(tables)["fct_budget"]


def test_the_dbt_docs_keep_the_markdown_and_open_on_the_overview() -> None:
    manifest = json.loads((DBT_TARGET_DIR / "manifest.json").read_text(encoding="utf-8"))
    overview = manifest["docs"]["doc.bnd.__overview__"]["block_contents"]
    for words in ("What it holds", "Where to start", "value of record", "come from", "`marts`"):
        assert words in overview, words
    fct_budget = next(
        node for node in manifest["nodes"].values() if node.get("name") == "fct_budget"
    )
    assert "**Grain**" in fct_budget["description"]


@pytest.mark.parametrize(
    "text", ["it's quoted", "'; drop table marts.t; --", 'a "double" and \\ backslash', "억원"]
)
def test_a_description_is_text_never_sql(text: str) -> None:
    with duckdb.connect() as con:
        con.execute("create schema marts; create table marts.t (c integer)")
        manifest = {
            "nodes": {
                "model.bnd.t": {
                    "resource_type": "model",
                    "schema": "marts",
                    "name": "t",
                    "description": text,
                    "columns": {"c": {"description": text}},
                }
            }
        }
        write_comments(con, mart_docs(manifest))
        assert con.execute(TABLES).fetchall() == [("t", text)]
        assert con.execute(QUERY).fetchall() == [("t", "c", text)]
