"""Budget lines in a publisher's layout, read through its profile (``sources.profiles``).

A file listed under ``line_files:`` in the registry (``data_raw/budget_lines/<year>/…``, CSV, XLSX
or the Open Fiscal Data API's JSON) is read with its profile's column names, and each of its rows
becomes one line per amount column (its phase), in the warehouse's line grain:

- the 회계 and 계정 as published become today's account through the crosswalk
  (``ref_account_history.csv``, by fiscal year): the line keeps both names and how the era's
  account maps to today's (``same``, ``renamed``, ``mostly``, ``split``). Rows of any other 회계
  (the general account, other special accounts, funds) are not lines of the special account:
  they are counted per 회계 (``raw.excluded_line_rows``), never silently dropped. A row of the
  special account whose 계정 the crosswalk does not know for its year stops the run, naming the
  file, the place and the value;
- amounts are converted from the unit the registry declares for the file (never guessed), to
  KRW million with three decimals (천원 are exact); a header stating another unit stops the run;
- the organisation is named (소관, 자치단체), its kind from the profile; the programme is the
  path of its hierarchy (프로그램 › 단위사업 › 세부사업).

Every value from a file reaches DuckDB as data (a temporary UTF-8 copy read with
``all_varchar``, bound parameters), and column names only through ``quote_identifier`` after they
matched a name the profile lists.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.core import limits
from pipelines.core.errors import SourceError
from pipelines.core.sql import quote_identifier
from pipelines.sources.amounts import units_in
from pipelines.sources.profiles import HIERARCHY, REQUIRED, Profile
from pipelines.sources.reference import (
    account_history,
    account_name_key,
    column_key,
    unit_factors,
)
from pipelines.sources.registry import LineFileEntry
from pipelines.sources.table_files import csv_grid, decode_text, xlsx_grids

PLACE = "__place"
# A row to its (year, 회계, 계정) in ``publisher_accounts``; an empty 계정 matches an empty one.
JOIN_ACCOUNTS = """inner join publisher_accounts as a
    on a.year_text is not distinct from r.year_text
    and a.account_published is not distinct from r.account_published
    and a.sub_account_published is not distinct from r.sub_account_published"""
# The level of a central government's line: its budget gives no split by level of government.
WHOLE_ACCOUNT_LEVEL = "account_whole"


@dataclass(frozen=True)
class PublisherFile:
    path: Path
    source_file: str  # inside data_raw/
    fiscal_year: int  # of its folder
    entry: LineFileEntry
    profile: Profile


def land_publisher_files(
    con: duckdb.DuckDBPyConnection, files: Sequence[PublisherFile], work_dir: Path
) -> dict[str, int]:
    """Add the lines of ``files`` to ``raw.budget_lines`` of the landing ``con`` and their
    other-회계 rows to ``raw.excluded_line_rows``; returns those rows' count per 회계 as
    published. Raises ``SourceError`` naming file, place and what was expected at the first bad
    value."""
    _register_history(con)
    for file in files:
        with tempfile.TemporaryDirectory(dir=work_dir) as scratch:
            copy = Path(scratch) / "rows.csv"
            _write_rows(file, copy)
            con.execute(
                "create or replace temporary table publisher_rows as "
                "select * from read_csv($path, header = true, all_varchar = true, "
                "quote = '\"', escape = '\"', delim = ',', null_padding = true)",
                {"path": str(copy)},
            )
        columns = _columns(con, file)
        _classify_accounts(con, file, columns)
        _insert_lines(con, file, columns)
        _insert_excluded(con, file)
    # The rows left out, per 회계, as recorded (every file of the run, once).
    return dict(
        con.execute(
            "select account_name_published, sum(row_count)::bigint from raw.excluded_line_rows "
            "group by 1"
        ).fetchall()
    )


# --- reading a file into rows ------------------------------------------------------------------


def _write_rows(file: PublisherFile, target: Path) -> None:
    """The file's header and rows as UTF-8 CSV, each row with its place in the file first."""
    header, rows = _read_rows(file)
    width = len(header)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([PLACE, *header])
        for place, values in rows:
            if any(value.strip() for value in values[width:]):
                raise SourceError(
                    str(file.path), place, f"at most {width} cells, one per header",
                    f"{len(values)} cells",
                )  # fmt: skip
            writer.writerow([place, *values[:width]])


def _read_rows(file: PublisherFile) -> tuple[list[str], list[tuple[str, list[str]]]]:
    where = str(file.path)
    size = file.path.stat().st_size
    limits.check("FILE_BYTES", size, where, "whole file")
    data = file.path.read_bytes()
    suffix = file.path.suffix.lower()
    if suffix == ".json":
        return _json_rows(data, where)
    grid = xlsx_grids(data, where)[0] if suffix == ".xlsx" else csv_grid(data, where)
    rows = [row for row in grid.rows if any(cell.text for cell in row.cells)]
    if not rows:
        raise SourceError(where, "whole file", "a header and rows of budget lines", "no rows")
    header = [cell.text for cell in rows[0].cells]
    return header, [(row.place, [cell.text for cell in row.cells]) for row in rows[1:]]


def _json_rows(data: bytes, where: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The Open Fiscal Data API's answer as saved: ``{"<service>": [{"head": …}, {"row": [{…}]}]}``
    (its body is sometimes a JSON text holding the JSON, decoded twice), or a plain list of rows."""
    text, _ = decode_text(data, where)
    try:
        document = json.loads(text)
        if isinstance(document, str):
            document = json.loads(document)
    except json.JSONDecodeError as error:
        raise SourceError(where, f"line {error.lineno}", "JSON", error.msg) from None
    records = document
    if isinstance(document, dict):  # {"<service>": [{"head": …}, {"row": […]}]}
        parts = next(iter(document.values())) if len(document) == 1 else None
        rows = [part["row"] for part in parts or () if isinstance(part, dict) and "row" in part]
        records = rows[0] if len(rows) == 1 else None
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise SourceError(
            where, "whole file", "the API's answer ({service: [{head}, {row: [records]}]})",
            "another JSON document",
        )  # fmt: skip
    header = list(dict.fromkeys(key for record in records for key in record))
    return header, [
        (
            f"record {number}",
            ["" if record.get(key) is None else str(record[key]) for key in header],
        )
        for number, record in enumerate(records, start=1)
    ]


# --- columns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    fields: dict[str, str]  # field → the file's column
    amounts: list[tuple[str, str, int]]  # (the file's column, phase, fiscal year offset)


def _columns(con: duckdb.DuckDBPyConnection, file: PublisherFile) -> Columns:
    """The file's column for each field of the profile: the first of its names in the header."""
    header = [
        column[0] for column in con.execute("select * from publisher_rows limit 0").description
    ]
    by_key = {}
    for name in header[1:]:
        by_key.setdefault(column_key(name), name)
    profile, where = file.profile, str(file.path)
    if file.entry.unit not in unit_factors():
        raise SourceError(
            where, "its sources.yml entry, unit",
            f"a unit of ref_units.csv ({', '.join(sorted(unit_factors()))})", repr(file.entry.unit),
        )  # fmt: skip
    fields = {}
    for name, candidates in profile.fields.items():
        found = next((by_key[column_key(c)] for c in candidates if column_key(c) in by_key), None)
        if found is not None:
            fields[name] = found
        elif name in REQUIRED:
            raise SourceError(
                where, "header", f"a column {' or '.join(candidates)} (profile {profile.name})",
                f"the columns {', '.join(header[1:])}",
            )  # fmt: skip
    amounts = []
    for amount in profile.amounts:
        found = next(
            (by_key[column_key(c)] for c in amount.columns if column_key(c) in by_key), None
        )
        if found is None:
            continue  # an amount the file does not carry (the prior year's final, in 총액)
        factors = unit_factors()
        for mention in units_in(found, "header"):
            if factors.get(mention.unit_label) != factors.get(file.entry.unit):
                raise SourceError(
                    where, f"header, column {found}",
                    f"amounts in {file.entry.unit}, the unit its sources.yml entry declares",
                    f"a header stating {mention.printed or mention.unit_label}",
                )  # fmt: skip
        amounts.append((found, amount.phase, amount.fiscal_year_offset))
    if not amounts:
        names = " or ".join(name for amount in profile.amounts for name in amount.columns)
        raise SourceError(where, "header", f"an amount column ({names})", "none")
    return Columns(fields, amounts)


def _column(columns: Columns, name: str) -> str:
    """The SQL text of a field's column, or NULL when the file has none."""
    found = columns.fields.get(name)
    return f"nullif(trim(r.{quote_identifier(found)}), '')" if found else "null"


# --- accounts ----------------------------------------------------------------------------------


def _register_history(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace temporary table account_history (first_year integer, last_year "
        "integer, account_key varchar, sub_account_key varchar, today_account_code varchar, "
        "mapping varchar)"
    )
    con.executemany(
        "insert into account_history values (?, ?, ?, ?, ?, ?)",
        [
            [era.first_year, era.last_year, era.account_key, era.sub_account_key,
             era.today_account_code, era.mapping]
            for era in account_history()
        ],
    )  # fmt: skip


def _classify_accounts(
    con: duckdb.DuckDBPyConnection, file: PublisherFile, columns: Columns
) -> None:
    """``publisher_accounts``: each (year, 회계, 계정) of the file, whether it is the special
    account, and if so today's account and how it maps; an unknown 계정 stops the run."""
    year, account, sub = (
        _column(columns, name) for name in ("fiscal_year", "account", "sub_account")
    )
    combinations = con.execute(
        f"select distinct {year}, {account}, {sub}, min({PLACE}) from publisher_rows as r "
        "group by all"
    ).fetchall()
    eras = account_history()
    rows = []
    where = str(file.path)
    for year_text, account_name, sub_name, place in combinations:
        fiscal_year = _year(year_text, where, place, columns)
        key, sub_key = (
            account_name_key(account_name or ""),
            account_name_key(sub_name or "") or None,
        )
        of_account = [e for e in eras if e.account_key == key and e.covers(fiscal_year)]
        if not of_account:
            rows.append([year_text, account_name, sub_name, False, None, None, None])
            continue
        if sub_key is None and file.profile.today_account:
            era = next(
                (
                    e
                    for e in of_account
                    if e.today_account_code == file.profile.today_account
                    and e.sub_account_key is not None
                    and e.mapping != "split"
                ),
                None,
            )
            rows.append(
                [
                    year_text,
                    account_name,
                    sub_name,
                    True,
                    file.profile.today_account,
                    era.mapping if era else "split",
                    era.sub_account_name if era else None,
                ]
            )
            continue  # fmt: skip
        era = next((e for e in of_account if e.sub_account_key == sub_key), None)
        if era is None or sub_key is None:
            known = ", ".join(e.sub_account_name for e in of_account if e.sub_account_name)
            raise SourceError(
                where, f"{_first_place(con, columns, year_text, account_name, sub_name)}, "
                f"column {columns.fields.get('sub_account', 'sub_account')}",
                f"a 계정 of {account_name} in {fiscal_year} ({known}; "
                "dbt_project/seeds/ref_account_history.csv lists each era's)",
                repr(sub_name or ""),
            )  # fmt: skip
        rows.append([year_text, account_name, sub_name, True, era.today_account_code,
                     era.mapping, era.sub_account_name])  # fmt: skip
    con.execute(
        "create or replace temporary table publisher_accounts (year_text varchar, "
        "account_published varchar, sub_account_published varchar, is_special boolean, "
        "today_account_code varchar, mapping varchar, sub_account_name_that_year varchar)"
    )
    con.executemany("insert into publisher_accounts values (?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute(
        "create or replace temporary table publisher_rows as select r.*, "
        f"{year} as year_text, {account} as account_published, {sub} as sub_account_published "
        "from publisher_rows as r"
    )


def _year(text: str | None, where: str, place: str, columns: Columns) -> int:
    try:
        year = int(str(text).strip())
    except ValueError:
        year = 0
    if not 1900 < year < 2200:
        raise SourceError(
            where, f"{place}, column {columns.fields['fiscal_year']}", "a fiscal year", repr(text)
        )
    return year


def _first_place(con, columns: Columns, year_text, account_name, sub_name) -> str:
    year, account, sub = (
        _column(columns, name) for name in ("fiscal_year", "account", "sub_account")
    )
    (place,) = con.execute(
        f"select {PLACE} from publisher_rows as r where {year} is not distinct from $y and "
        f"{account} is not distinct from $a and {sub} is not distinct from $s limit 1",
        {"y": year_text, "a": account_name, "s": sub_name},
    ).fetchone()
    return place


# --- lines -------------------------------------------------------------------------------------


def _insert_lines(con: duckdb.DuckDBPyConnection, file: PublisherFile, columns: Columns) -> None:
    factor = unit_factors()[file.entry.unit]
    hierarchy = [_column(columns, name) for name in HIERARCHY if name in columns.fields]
    organisation = _column(columns, "organisation")
    _register_organisations(con, file, organisation)
    selects, parameters = [], {"source_file": file.source_file}
    for number, (column, phase, offset) in enumerate(columns.amounts):
        parameters |= {f"phase_{number}": phase, f"column_{number}": column}
        selects.append(
            f"""select $source_file as source_file,
                   cast(r.year_text as integer) + {int(offset)} as fiscal_year,
                   a.today_account_code as account_code, o.level_code, o.organisation_kind,
                   {organisation} as organisation_code,
                   concat_ws(' › ', {", ".join(hierarchy)}) as programme_code,
                   $phase_{number} as phase, trim(r.{quote_identifier(column)}) as amount_text,
                   r.{PLACE} as source_place, $column_{number} as amount_column,
                   r.account_published, r.sub_account_published, a.mapping as account_mapping,
                   a.sub_account_name_that_year as sub_account_that_year,
                   {_column(columns, "field")} as field_name,
                   {_column(columns, "sector")} as sector_name,
                   {_column(columns, "programme")} as programme_name,
                   {_column(columns, "unit_project")} as unit_project_name,
                   {_column(columns, "detail_project")} as detail_project_name
               from publisher_rows as r
               {JOIN_ACCOUNTS}
               left join publisher_organisations as o on o.name is not distinct from {organisation}
               where a.is_special"""
        )
    con.execute(
        "create or replace temporary table publisher_lines as "
        + " union all ".join(f"({select})" for select in selects),
        parameters,
    )
    _check_lines(con, file)
    con.execute(
        """insert into raw.budget_lines (source_file, fiscal_year, account_code, level_code,
               organisation_kind, organisation_code, programme_code, phase, amount_krw_million,
               is_subtotal, line_source, source_place, account_name_that_year,
               sub_account_name_that_year, account_mapping, field_name, sector_name,
               programme_name, unit_project_name, detail_project_name)
           select source_file, fiscal_year, account_code, level_code, organisation_kind,
               organisation_code, programme_code, phase,
               cast(cast(replace(amount_text, ',', '') as decimal(38, 6)) * $factor
                    as decimal(18, 3)),
               false, $profile, source_place, account_published,
               coalesce(sub_account_published, sub_account_that_year), account_mapping,
               field_name, sector_name, programme_name, unit_project_name, detail_project_name
           from publisher_lines""",
        {"factor": factor, "profile": file.profile.name},
    )


def _register_organisations(
    con: duckdb.DuckDBPyConnection, file: PublisherFile, organisation: str
) -> None:
    """``publisher_organisations``: each organisation named in the file, its kind (the
    profile's rule) and the level of government its lines belong to."""
    kind_of = file.profile.organisation_kind
    names = [
        name
        for (name,) in con.execute(
            f"select distinct {organisation} from publisher_rows as r"
        ).fetchall()
    ]
    con.execute(
        "create or replace temporary table publisher_organisations "
        "(name varchar, organisation_kind varchar, level_code varchar)"
    )
    rows = []
    for name in names:
        kind = kind_of.of(name or "")
        # A ministry's line is the account's as a whole; a local government's, its level.
        rows.append([name, kind, WHOLE_ACCOUNT_LEVEL if kind == "central_agency" else kind])
    if rows:
        con.executemany("insert into publisher_organisations values (?, ?, ?)", rows)


def _check_lines(con: duckdb.DuckDBPyConnection, file: PublisherFile) -> None:
    """Every line's amount a number of 0 or more in the declared unit, without more precision
    than the warehouse keeps; an organisation and a programme; and one line per grain."""
    factor = unit_factors()[file.entry.unit]
    where = str(file.path)
    bad = con.execute(
        """select source_place, amount_column, amount_text from publisher_lines
           where try_cast(replace(trim(amount_text), ',', '') as decimal(38, 6)) is null
              or try_cast(replace(trim(amount_text), ',', '') as decimal(38, 6)) < 0
           limit 1"""
    ).fetchone()
    if bad:
        raise SourceError(
            where, f"{bad[0]}, column {bad[1]}", f"an amount of 0 or more in {file.entry.unit}",
            repr(bad[2]),
        )  # fmt: skip
    fine = con.execute(
        """select source_place, amount_column, amount_text from publisher_lines
           where cast(replace(trim(amount_text), ',', '') as decimal(38, 6)) * $factor
                 <> round(cast(replace(trim(amount_text), ',', '') as decimal(38, 6)) * $factor, 3)
           limit 1""",
        {"factor": factor},
    ).fetchone()
    if fine:
        raise SourceError(
            where, f"{fine[0]}, column {fine[1]}",
            f"an amount in whole {file.entry.unit} (the warehouse keeps KRW thousands)",
            repr(fine[2]),
        )  # fmt: skip
    for column, text in (
        ("organisation_code", "an organisation"),
        ("programme_code", "a programme"),
    ):
        missing = con.execute(
            f"select source_place from publisher_lines where coalesce({column}, '') = '' limit 1"
        ).fetchone()
        if missing:
            raise SourceError(where, missing[0], text, "an empty cell")
    twice = con.execute(
        """select min(source_place), max(source_place), fiscal_year, organisation_code,
                  programme_code, phase
           from publisher_lines
           group by fiscal_year, account_code, level_code, organisation_code, programme_code,
                    phase
           having count(*) > 1 limit 1"""
    ).fetchone()
    if twice:
        raise SourceError(
            where, f"{twice[0]} and {twice[1]}",
            "one line per fiscal year, account, organisation, programme and phase",
            f"{twice[2]} {twice[3]} {twice[4]!r} {twice[5]} twice",
        )  # fmt: skip


def _insert_excluded(con: duckdb.DuckDBPyConnection, file: PublisherFile) -> None:
    con.execute(
        f"""insert into raw.excluded_line_rows
           select $source_file, cast(r.year_text as integer), r.account_published, count(*)
           from publisher_rows as r
           {JOIN_ACCOUNTS}
           where not a.is_special
           group by all""",
        {"source_file": file.source_file},
    )
