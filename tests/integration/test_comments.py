"""The published marts describe themselves: every table and column has its comment, from the
dbt YAML (and ``build_meta`` for ``meta_build``), readable by DuckDB 1.x and 2.x clients alike."""

from __future__ import annotations

import json
import subprocess
import textwrap

import duckdb
import pytest
import yaml

from pipelines.core.settings import DBT_PROJECT_DIR
from pipelines.lifecycle.build_meta import COLUMN_DOCS
from pipelines.lifecycle.comments import mart_docs, write_comments
from tests.integration.conftest import OLD_CLIENT_PYTHON, Build

QUERY = (
    "select table_name, column_name, comment from duckdb_columns() "
    "where schema_name = 'marts' order by all"
)
TABLES = "select table_name, comment from duckdb_tables() where schema_name = 'marts' order by 1"


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
            assert by_column[key] == description.strip(), key
    for column, (_, description) in COLUMN_DOCS.items():
        assert by_column[("meta_build", column)] == description


def test_a_duckdb_1x_client_reads_the_comments(published_build: Build) -> None:
    assert OLD_CLIENT_PYTHON.is_file(), "the DuckDB 1.x environment is made by `make test`"
    script = textwrap.dedent(
        f"""
        import json, duckdb
        con = duckdb.connect({str(published_build.settings.published_db)!r}, read_only=True)
        print(json.dumps({{"version": duckdb.__version__,
                          "columns": con.execute({QUERY!r}).fetchall()}}))
        """
    )
    completed = subprocess.run(
        [str(OLD_CLIENT_PYTHON), "-c", script], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    assert answer["version"].startswith("1.")
    assert answer["columns"] and all(comment for _, _, comment in answer["columns"])


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
