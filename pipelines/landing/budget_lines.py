"""Line-level budget files: ``data_raw/budget_lines/<fiscal year>/*.csv|*.parquet``.

One folder per fiscal year holds that year's budget lines (one file or several, e.g. one per
province): one row per account × level × organisation × programme × phase, amounts in KRW million
(CSV amounts may carry thousands separators, as spreadsheets export them). A row whose programme
is ``소계`` is an organisation's published subtotal: it is checked against the detail lines, never
counted as one.

The lines are read by DuckDB, in SQL, straight into a landing database of the build (never into
Python objects), so tens of millions of lines cost what DuckDB's reader costs. A file that cannot
be read, lacks a column, has a cell of the wrong type, a line of another year, an unknown account,
level or phase, a missing value or a negative amount stops the run, naming the file, the line and
what was expected (``landing.line_rules``). The files are found, and kept inside ``data_raw/``, by
``landing.line_files``; those in a publisher's layout land through ``landing.publisher_lines``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.core.checksums import file_sha256_unless_known
from pipelines.core.sql import one_row, quote_identifier
from pipelines.landing.line_files import LineFile
from pipelines.landing.line_rules import (
    SUBTOTAL_LABEL,
    check_columns,
    check_values,
    insert_rows,
    reader_error,
    scan,
    scan_parameters,
)
from pipelines.landing.publisher_lines import PublisherFile, land_publisher_files
from pipelines.sources.profiles import Profile
from pipelines.sources.registry import LineFileEntry

LANDING_DDL = """
create schema if not exists raw;
create or replace table raw.budget_lines (
    source_file varchar not null,
    fiscal_year integer not null,
    account_code varchar not null,
    level_code varchar not null,
    organisation_kind varchar not null,
    organisation_code varchar not null,
    programme_code varchar not null,
    phase varchar not null,
    -- KRW million to the KRW thousand: a publisher's detail in 천원 is kept exactly.
    amount_krw_million decimal(18, 3) not null,
    is_subtotal boolean not null,
    -- Whose layout the line came in: ``warehouse`` (this project's own) or a profile's name.
    line_source varchar not null default 'warehouse',
    -- Lines in a publisher's layout (landing.publisher_lines) only; null for the warehouse's own.
    source_place varchar,
    account_name_that_year varchar,
    sub_account_name_that_year varchar,
    account_mapping varchar,
    field_name varchar,
    sector_name varchar,
    programme_name varchar,
    unit_project_name varchar,
    detail_project_name varchar
);
-- Rows of a publisher's file that belong to another 회계 than the special account, per 회계.
create or replace table raw.excluded_line_rows (
    source_file varchar not null,
    fiscal_year integer not null,
    account_name_published varchar,
    row_count bigint not null
);
-- The fiscal years the run reprocesses (a year may have no lines: its rows are then removed).
create or replace table raw.run_fiscal_years (fiscal_year integer not null primary key);
"""
FILES_DDL = """
create schema if not exists raw;
create table if not exists raw.budget_line_files (
    source_file varchar not null primary key,
    fiscal_year integer not null,
    source_sha256 varchar not null,
    size_bytes bigint not null,
    file_format varchar not null,
    line_count bigint not null,
    subtotal_count bigint not null,
    read_at timestamp not null
);
-- A build published before publishers' layouts were read gains their columns.
alter table raw.budget_line_files add column if not exists profile varchar;
alter table raw.budget_line_files add column if not exists unit_declared varchar;
create table if not exists raw.excluded_line_rows (
    source_file varchar not null,
    fiscal_year integer not null,
    account_name_published varchar,
    row_count bigint not null
);
"""


@dataclass(frozen=True)
class LandedLines:
    years: tuple[int, ...]
    files: dict[str, str]  # source_file → sha256
    line_count: int
    subtotal_count: int
    excluded: dict[str, int] = field(default_factory=dict)  # other 회계 → rows left out

    def excluded_by_account(self) -> str:
        """``일반회계 12, 농어촌구조개선특별회계 3``: each other 회계 with its rows, most first."""
        ordered = sorted(self.excluded.items(), key=lambda item: (-item[1], item[0] or ""))
        return ", ".join(f"{name or '(no 회계)'} {count:,}" for name, count in ordered)


def land_lines(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[LineFile],
    years: Sequence[int],
    known: Mapping[str, Sequence] | None = None,
    publishers: Mapping[str, tuple[LineFileEntry, Profile]] | None = None,
    work_dir: Path | None = None,
) -> LandedLines:
    """Load ``files`` into ``raw.budget_lines`` (replaced) of the landing database ``con``.

    Files in the warehouse's own layout are read by DuckDB straight into the landing; files in a
    publisher's layout (``publishers``: their registry entry and profile, by name inside
    data_raw/) through ``landing.publisher_lines``, with temporary copies in ``work_dir``.

    Each file's sha256 is recorded; ``known`` (source file → [sha256, size, modification time,
    inode], as the run's inputs recorded them before the run) saves reading a file again whose
    size, time and inode are unchanged: at 30 M lines that is 2.6 GB of CSV not hashed twice.

    Paths reach DuckDB only as bound parameters, and a line's ``source_file`` and folder year
    come from the run's own list of files (joined on the path DuckDB read), never from parsing
    the path DuckDB reports: a file name may hold quotes, semicolons or backslashes.
    Raises ``SourceError`` naming the file, line and expectation for the first bad value.
    """
    con.execute(LANDING_DDL)
    insert_rows(con, "insert into raw.run_fiscal_years values (?)", [[year] for year in set(years)])
    _register_files(con, files)
    for reader in ("csv", "parquet"):
        group = [file for file in files if file.reader == reader]
        if not group:
            continue
        for file in group:
            check_columns(con, file)
        try:
            con.execute(
                f"""
                insert into raw.budget_lines (source_file, fiscal_year, account_code,
                    level_code, organisation_kind, organisation_code, programme_code, phase,
                    amount_krw_million, is_subtotal)
                select
                    f.source_file,
                    s.fiscal_year, s.account_code, s.level_code, s.organisation_kind,
                    s.organisation_code, s.programme_code, s.phase, s.amount_krw_million,
                    s.programme_code = $subtotal as is_subtotal
                from {scan(reader)} as s
                -- left join: a line of a path not in the list fails "not null", never vanishes
                left join run_line_paths as f on f.path = s.filename
                """,
                {
                    **scan_parameters(reader, [file.path for file in group]),
                    "subtotal": SUBTOTAL_LABEL,
                },
            )
        except duckdb.Error as error:
            raise reader_error(error, group) from error
    check_values(con, files)
    excluded: dict[str, int] = {}
    profiled = [
        PublisherFile(
            file.path, file.source_file, file.fiscal_year, *(publishers or {})[file.source_file]
        )
        for file in files
        if file.reader == "publisher"
    ]
    if profiled:
        excluded = land_publisher_files(con, profiled, work_dir or Path("."))
    line_count, subtotal_count = one_row(
        con.execute(
            "select count(*) filter (where not is_subtotal), count(*) filter (where is_subtotal) "
            "from raw.budget_lines"
        )
    )
    return LandedLines(
        tuple(sorted(set(years))),
        {
            file.source_file: file_sha256_unless_known(
                file.path, (known or {}).get(file.source_file)
            )
            for file in files
        },
        line_count,
        subtotal_count,
        excluded,
    )


def _register_files(con: duckdb.DuckDBPyConnection, files: Sequence[LineFile]) -> None:
    """The run's files (path, name in data_raw/, folder year) as a temporary table that the load
    and the rules (``line_rules``) join to: a path never becomes SQL text."""
    con.execute(
        "create or replace temporary table run_line_paths "
        "(path varchar primary key, source_file varchar not null, folder_year integer not null)"
    )
    insert_rows(
        con,
        "insert into run_line_paths values (?, ?, ?)",
        [[str(file.path), file.source_file, file.fiscal_year] for file in files],
    )


def record_line_files(
    con: duckdb.DuckDBPyConnection,
    landing: str,
    files: Sequence[LineFile],
    landed: LandedLines,
    publishers: Mapping[str, tuple[LineFileEntry, Profile]] | None = None,
) -> None:
    """Replace the reprocessed years' rows of ``raw.budget_line_files`` (with each publisher
    file's profile and declared unit) and ``raw.excluded_line_rows`` in the build."""
    con.execute(FILES_DDL)
    for table in ("budget_line_files", "excluded_line_rows"):
        con.execute(
            f"delete from raw.{table} where list_contains($years::integer[], fiscal_year)",
            {"years": list(landed.years)},
        )
    con.execute(
        f"insert into raw.excluded_line_rows select * from "
        f"{quote_identifier(landing)}.raw.excluded_line_rows"
    )
    if not files:
        return
    con.execute(
        "create or replace temporary table run_line_files (f varchar, y integer, "
        "sha varchar, size bigint, fmt varchar, profile varchar, unit varchar)"
    )
    publishers = publishers or {}
    con.executemany(
        "insert into run_line_files values (?, ?, ?, ?, ?, ?, ?)",
        [
            [
                file.source_file,
                file.fiscal_year,
                landed.files[file.source_file],
                file.path.stat().st_size,
                file.reader,
                publishers[file.source_file][1].name if file.source_file in publishers else None,
                publishers[file.source_file][0].unit if file.source_file in publishers else None,
            ]
            for file in files
        ],
    )
    # One scan of the landing counts the lines of every file.
    con.execute(
        f"""
        insert into raw.budget_line_files
        select f.f, f.y, f.sha, f.size, f.fmt,
               coalesce(n.lines, 0), coalesce(n.subtotals, 0), current_timestamp::timestamp,
               f.profile, f.unit
        from run_line_files as f
        left join (
            select source_file,
                   count(*) filter (where not is_subtotal) as lines,
                   count(*) filter (where is_subtotal) as subtotals
            from {quote_identifier(landing)}.raw.budget_lines group by source_file
        ) as n on n.source_file = f.f
        """
    )
