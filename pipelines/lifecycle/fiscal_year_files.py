"""The budget lines' exports: one folder of files per fiscal year, in any format DuckDB writes.

``fct_budget_line`` can hold millions of lines, so its exports (Parquet, and CSV for Excel) are
split by fiscal year into hive-style folders (``fiscal_year=<year>/``). A refresh of some fiscal
years writes those years only and takes the others' files from the published exports as reflinks
or copies (never hard links: no published file shares its inode with another build's), so it
costs what the years it reprocessed cost.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from pipelines.core.sql import one_row
from pipelines.lifecycle.files import clone_or_copy

LINES_TABLE = "fct_budget_line"


def write_by_fiscal_year(
    con: duckdb.DuckDBPyConnection,
    select: str,
    parameters: dict[str, Any],
    target: Path,
    options: str,
    extension: str,
    reprocessed_years: list[int] | None,
    published: Path | None,
    write_empty: Callable[[Path], None],
) -> int:
    """Write the rows of ``select`` (the budget lines, with ``fiscal_year``) into ``target``, one
    folder per fiscal year; returns the rows.

    ``options`` are the COPY options of the format (with ``parameters``); the years not in
    ``reprocessed_years`` are copied from ``published`` when it has them. With no lines at all,
    ``write_empty(target)`` writes one file of no rows, so that reading ``target/**/*`` gives an
    empty table instead of DuckDB's "No files found"."""
    options = f"{options}, write_partition_columns true"
    if reprocessed_years is None or published is None or not published.is_dir():
        (written,) = one_row(
            con.execute(
                f"copy ({select}) to $target "
                f"({options}, partition_by (fiscal_year), filename_pattern 'lines_{{i}}')",
                {**parameters, "target": str(target)},
            )
        )
        if written == 0:
            write_empty(target)
        return written
    counts = dict(
        con.execute(f"select fiscal_year, count(*) from marts.{LINES_TABLE} group by 1").fetchall()
    )
    target.mkdir(parents=True, exist_ok=True)
    for year in sorted(counts):
        folder = target / f"fiscal_year={year}"
        kept = published / folder.name
        folder.mkdir()
        if year not in reprocessed_years and kept.is_dir():
            for file in kept.iterdir():
                clone_or_copy(file, folder / file.name)
            continue
        con.execute(
            f"copy (select * from ({select}) where fiscal_year = $year) to $target ({options})",
            {**parameters, "year": year, "target": str(folder / f"lines_0.{extension}")},
        )
    if not counts:
        write_empty(target)
    return sum(counts.values())
