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
what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.core.checksums import file_sha256_unless_known
from pipelines.core.errors import SourceError
from pipelines.core.sql import quote_identifier
from pipelines.landing.publisher_lines import PublisherFile, land_publisher_files
from pipelines.sources.profiles import Profile
from pipelines.sources.reference import leaf_account_levels
from pipelines.sources.registry import LineFileEntry, is_valid_phase

LINES_FOLDER = "budget_lines"
SUBTOTAL_LABEL = "소계"
READERS = {".csv": "csv", ".parquet": "parquet"}
PUBLISHER_SUFFIXES = {".csv", ".xlsx", ".json"}
# Characters DuckDB reads as a pattern of file names (glob) where a path is expected.
PATTERN_CHARACTERS = "*?[]{}"
# Columns every file must have, with their types; other columns are ignored.
COLUMNS = {
    "fiscal_year": "INTEGER",
    "account_code": "VARCHAR",
    "level_code": "VARCHAR",
    "organisation_kind": "VARCHAR",
    "organisation_code": "VARCHAR",
    "programme_code": "VARCHAR",
    "phase": "VARCHAR",
    "amount_krw_million": "BIGINT",
}
ORGANISATION_KINDS = ("city_province", "si_gun_gu", "central_agency")

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
class LineFile:
    path: Path
    source_file: str  # the path inside data_raw/, e.g. budget_lines/2026/seoul.csv
    fiscal_year: int
    reader: str  # csv or parquet (the warehouse's own layout), or publisher (its profile's)


def lines_dir(data_raw_dir: Path) -> Path:
    return data_raw_dir / LINES_FOLDER


def available_years(data_raw_dir: Path) -> list[int]:
    """Fiscal years that have a folder of line files."""
    folder = lines_dir(data_raw_dir)
    if not folder.is_dir():
        return []
    return sorted(int(path.name) for path in folder.iterdir() if re.fullmatch(r"\d{4}", path.name))


def find_line_files(
    data_raw_dir: Path, years: Iterable[int], publisher_files: Iterable[str] = ()
) -> list[LineFile]:
    """The line files of ``years`` (a year without a folder has none); checks names and kinds.

    ``publisher_files`` (names inside data_raw/, from ``line_files:`` of the registry) are in a
    publisher's layout: CSV, XLSX or JSON, read through their profile (reader ``publisher``).

    Nothing here follows a symbolic link: the budget-lines folder, a year folder or a file that
    is one is refused by name (a link could lead the run to read anything on the machine). A
    file whose name holds one of DuckDB's pattern characters (``*?[]{}``) is refused too: DuckDB
    would read it as a pattern and load other files in its place.
    """
    publishers = set(publisher_files)
    folder = lines_dir(data_raw_dir)
    if folder.is_symlink():
        raise _symlink_error(folder)
    if folder.is_dir():
        for path in folder.iterdir():
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                raise _symlink_error(path)
            if not re.fullmatch(r"\d{4}", path.name):
                raise SourceError(
                    str(path), "name", f"one folder per fiscal year in {folder} (e.g. 2026/)"
                )
    found = []
    for year in sorted(set(years)):
        year_dir = folder / str(year)
        if not year_dir.is_dir():
            continue
        for path in sorted(year_dir.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_symlink():
                raise _symlink_error(path)
            source_file = f"{LINES_FOLDER}/{year}/{path.name}"
            if source_file in publishers and path.suffix.lower() in PUBLISHER_SUFFIXES:
                reader = "publisher"
            else:
                reader = READERS.get(path.suffix.lower())
            if reader is None or not path.is_file():
                raise SourceError(
                    str(path),
                    "whole file",
                    "a .csv or .parquet file of budget lines (or a .csv, .xlsx or .json file "
                    "in a publisher's layout, listed under line_files: in sources.yml)",
                )
            pattern = sorted(set(path.name) & set(PATTERN_CHARACTERS))
            if pattern:
                raise SourceError(
                    str(path),
                    "file name",
                    f"a name without the characters {PATTERN_CHARACTERS} (DuckDB reads them as "
                    "a pattern of file names); rename the file",
                    f"{' '.join(pattern)} in the name",
                )
            found.append(LineFile(path, source_file, year, reader))
    return found


def _symlink_error(path: Path) -> SourceError:
    return SourceError(
        str(path),
        "whole file",
        f"a real file or folder inside {LINES_FOLDER}/ (symbolic links are not followed); copy "
        "the file in instead",
        "a symbolic link",
    )


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


def _sha256(file: LineFile, known: Mapping[str, Sequence]) -> str:
    return file_sha256_unless_known(file.path, known.get(file.source_file))


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
    _insert(con, "insert into raw.run_fiscal_years values (?)", [[year] for year in set(years)])
    _register_files(con, files)
    for reader in ("csv", "parquet"):
        group = [file for file in files if file.reader == reader]
        if not group:
            continue
        for file in group:
            _check_columns(con, file)
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
                from {_scan(reader)} as s
                -- left join: a line of a path not in the list fails "not null", never vanishes
                left join run_line_paths as f on f.path = s.filename
                """,
                {
                    **_scan_parameters(reader, [file.path for file in group]),
                    "subtotal": SUBTOTAL_LABEL,
                },
            )
        except duckdb.Error as error:
            raise _reader_error(error, group) from error
    _check_values(con, files)
    excluded: dict[str, int] = {}
    profiled = [
        PublisherFile(file.path, file.source_file, file.fiscal_year, *publishers[file.source_file])
        for file in files
        if file.reader == "publisher"
    ]
    if profiled:
        excluded = land_publisher_files(con, profiled, work_dir or Path("."))
    line_count, subtotal_count = con.execute(
        "select count(*) filter (where not is_subtotal), count(*) filter (where is_subtotal) "
        "from raw.budget_lines"
    ).fetchone()
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
    """The run's files (path, name in data_raw/, folder year) and the reference values, as
    temporary tables that the load and the rules join to (values never become SQL text)."""
    con.execute(
        "create or replace temporary table run_line_paths "
        "(path varchar primary key, source_file varchar not null, folder_year integer not null)"
    )
    _insert(
        con,
        "insert into run_line_paths values (?, ?, ?)",
        [[str(file.path), file.source_file, file.fiscal_year] for file in files],
    )
    con.execute(
        "create or replace temporary table leaf_levels "
        "(account_code varchar not null, level_code varchar not null)"
    )
    _insert(
        con, "insert into leaf_levels values (?, ?)", [list(pair) for pair in leaf_account_levels()]
    )
    con.execute("create or replace temporary table organisation_kinds (kind varchar not null)")
    _insert(
        con, "insert into organisation_kinds values (?)", [[kind] for kind in ORGANISATION_KINDS]
    )


def _insert(con: duckdb.DuckDBPyConnection, statement: str, rows: list[list]) -> None:
    """``executemany``, which refuses an empty list of rows."""
    if rows:
        con.executemany(statement, rows)


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


def _scan(reader: str) -> str:
    """A relation of the files in the bound parameter ``$files`` with a ``filename`` column."""
    if reader == "parquet":
        casts = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in COLUMNS.items())
        return (
            f"(select filename, {casts} from "
            "read_parquet($files::varchar[], filename = true, union_by_name = true))"
        )
    return (
        "read_csv($files::varchar[], header = true, thousands = ',', types = $types, "
        "union_by_name = true, filename = true, null_padding = false)"
    )


def _scan_parameters(reader: str, paths: Sequence[Path]) -> dict[str, object]:
    parameters: dict[str, object] = {"files": [str(path) for path in paths]}
    if reader == "csv":
        parameters["types"] = dict(COLUMNS)
    return parameters


def _check_columns(con: duckdb.DuckDBPyConnection, file: LineFile) -> None:
    try:
        if file.reader == "parquet":
            rows = con.execute("select name from parquet_schema($file)", {"file": str(file.path)})
            present = {name for (name,) in rows.fetchall()}
        else:
            cursor = con.execute(
                "select * from read_csv($file, header = true, all_varchar = true) limit 0",
                {"file": str(file.path)},
            )
            present = {column[0] for column in cursor.description}
    except duckdb.Error as error:
        raise SourceError(
            str(file.path), "whole file", f"a readable {file.reader} file", _first_line(error)
        ) from error
    missing = [name for name in COLUMNS if name not in present]
    if missing:
        raise SourceError(
            str(file.path),
            "header",
            f"the columns {', '.join(COLUMNS)}",
            f"no column {', '.join(missing)}",
        )


def _reader_error(error: duckdb.Error, files: Sequence[LineFile]) -> SourceError:
    """DuckDB's reader error as a SourceError: file, line, column and the expected type."""
    text = str(error)
    file = re.search(r"^\s*file = (.+)$", text, re.MULTILINE)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    column = re.search(r'converting column "([^"]+)"\. (Could not convert [^\n]+)', text)
    where = file[1].strip() if file else (str(files[0].path) if len(files) == 1 else "line files")
    place = f"line {line[1]}" if line else "a row"
    if column:
        kind = COLUMNS.get(column[1], "the column's type")
        return SourceError(
            where,
            f"{place}, column {column[1]}",
            f"{_kind_words(kind)}",
            column[2],
        )
    return SourceError(where, place, "a well-formed line of budget lines", _first_line(error))


def _kind_words(kind: str) -> str:
    return {
        "INTEGER": "a whole number",
        "BIGINT": "an amount in KRW million (a whole number, thousands separators allowed)",
    }.get(kind, "text")


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


# Rules every landed line must follow: (columns, SQL condition that is TRUE for a bad line, what
# was expected). The conditions also see the year of the line's folder as ``folder_year`` and
# whether its phase, account and level, and organisation kind are known (``_FLAGS``).
def _rules() -> list[tuple[tuple[str, ...], str, str]]:
    leaves = "; ".join(f"{account} {level}" for account, level in sorted(leaf_account_levels()))
    return [
        (
            ("fiscal_year",),
            "fiscal_year is distinct from folder_year",
            "the fiscal year of the folder the file is in",
        ),
        (
            ("account_code", "level_code"),
            "not leaf_ok",
            f"a leaf account and its level ({leaves})",
        ),
        (
            ("organisation_kind",),
            "not kind_ok",
            f"one of {', '.join(ORGANISATION_KINDS)}",
        ),
        (
            ("organisation_code",),
            "organisation_code is null or trim(organisation_code) = ''",
            "an organisation code",
        ),
        (
            ("programme_code",),
            "programme_code is null or trim(programme_code) = ''",
            f"a programme code (or {SUBTOTAL_LABEL} on a subtotal row)",
        ),
        (
            ("phase",),
            "not phase_ok",
            "proposed, enacted, supplementary_<n> or settled",
        ),
        (
            ("amount_krw_million",),
            "amount_krw_million is null or amount_krw_million < 0",
            "an amount of 0 or more",
        ),
    ]


# Lines (``b``) with their folder year and whether their values are known, joined to the run's
# files (``f``) on ``{on}`` and to the reference tables of ``_register_files``.
_FLAGGED = """
    select b.*, f.folder_year,
           v.phase is not null as phase_ok,
           l.account_code is not null as leaf_ok,
           k.kind is not null as kind_ok
    from {lines} as b
    inner join run_line_paths as f on {on}
    left join valid_phases as v on v.phase = b.phase
    left join leaf_levels as l on l.account_code = b.account_code and l.level_code = b.level_code
    left join organisation_kinds as k on k.kind = b.organisation_kind
"""


def _check_values(con: duckdb.DuckDBPyConnection, files: Sequence[LineFile]) -> None:
    """One scan for every rule; on a violation, find its first line in its file and raise."""
    rules = _rules()
    phases = [
        phase
        for (phase,) in con.execute(
            "select distinct phase from raw.budget_lines where phase is not null"
        ).fetchall()
    ]
    con.execute("create or replace temporary table valid_phases (phase varchar not null)")
    _insert(
        con,
        "insert into valid_phases values (?)",
        [[phase] for phase in phases if is_valid_phase(phase)],
    )
    checked = _FLAGGED.format(lines="raw.budget_lines", on="f.source_file = b.source_file")
    counts = ", ".join(
        f"count(*) filter (where {condition}) as rule_{index}"
        for index, (_, condition, _) in enumerate(rules)
    )
    violations = con.execute(f"select {counts} from ({checked})").fetchone()
    for index, count in enumerate(violations):
        if not count:
            continue
        columns, condition, expected = rules[index]
        source_file, *found = con.execute(
            f"select source_file, {', '.join(columns)} from ({checked}) where {condition} limit 1"
        ).fetchone()
        file = next(file for file in files if file.source_file == source_file)
        place = _first_line_where(con, file, condition)
        raise SourceError(
            str(file.path),
            f"{place}, column {', '.join(columns)}",
            expected,
            f"{' '.join(repr(value) for value in found)} ({count} such line(s) in the run's files)",
        )


def _first_line_where(con: duckdb.DuckDBPyConnection, file: LineFile, condition: str) -> str:
    """The first line of ``file`` (as a person counts them, header = line 1) breaking a rule."""
    con.execute("set preserve_insertion_order = true")
    numbered = f"(select *, row_number() over () as row_number from {_scan(file.reader)})"
    checked = _FLAGGED.format(lines=numbered, on="f.path = b.filename")
    (row_number,) = con.execute(
        f"select min(row_number) from ({checked}) where {condition}",
        _scan_parameters(file.reader, [file.path]),
    ).fetchone()
    con.execute("set preserve_insertion_order = false")
    if file.reader == "csv":
        return f"line {row_number + 1}"
    return f"row {row_number}"
