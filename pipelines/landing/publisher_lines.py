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
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import duckdb

from pipelines.core import limits
from pipelines.core.errors import SourceError
from pipelines.core.sql import one_row, quote_identifier
from pipelines.sources.amounts import units_in
from pipelines.sources.budget_grid import GridRow
from pipelines.sources.profiles import HIERARCHY, REQUIRED, Profile
from pipelines.sources.reference import (
    account_history,
    account_name_key,
    column_key,
    unit_factors,
)
from pipelines.sources.registry import LineFileEntry
from pipelines.sources.table_files import csv_grid, xlsx_grids
from pipelines.sources.text_encoding import CONTROL_CHARACTER, decode_text

PLACE = "__place"
# The first of a group's places in the file: "line 9" before "line 10" (the same words, so the
# shorter number is the smaller), whatever order DuckDB read the rows in.
FIRST_PLACE = f"arg_min({PLACE}, (length({PLACE}), {PLACE}))"
# A row to its (year, 회계, 계정) in ``publisher_accounts``; an empty 계정 matches an empty one.
JOIN_ACCOUNTS = """inner join publisher_accounts as a
    on a.year_text is not distinct from r.year_text
    and a.account_published is not distinct from r.account_published
    and a.sub_account_published is not distinct from r.sub_account_published"""
# The level of a central government's line: its budget gives no split by level of government.
WHOLE_ACCOUNT_LEVEL = "account_whole"
# The largest amount a line may carry: raw.budget_lines keeps decimal(18, 3) KRW million.
MAX_AMOUNT_KRW_MILLION = Decimal("999999999999999.999")


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
        _refuse_lines_landed_twice(con, file)
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
    where, width = str(file.path), len(header)
    _refuse_non_text(where, "header", header, header)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([PLACE, *header])
        for place, values in rows:
            if any(value.strip() for value in values[width:]):
                raise SourceError(
                    where, place, f"at most {width} cells, one per header", f"{len(values)} cells"
                )
            _refuse_non_text(where, place, values[:width], header)
            writer.writerow([place, *values[:width]])


# Half of a UTF-16 surrogate pair, alone: JSON may spell one (``"\\ud800"``), but it is no
# character, and no UTF-8 text (the landing's copy) can hold it.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_non_text(where: str, place: str, values: list[str], header: list[str]) -> None:
    """A cell holding a control character (NUL, ESC, …) is refused as a CSV's text is, by the
    same rule (``table_files.CONTROL_CHARACTER``): a JSON string may spell one (``\\u0000``),
    and a workbook may hold one. So is a lone surrogate."""
    joined = "\t".join(values)  # one search per row in the usual case
    if not CONTROL_CHARACTER.search(joined) and not LONE_SURROGATE.search(joined):
        return
    for number, value in enumerate(values):
        control, surrogate = CONTROL_CHARACTER.search(value), LONE_SURROGATE.search(value)
        match = control or surrogate
        if match is None:
            continue
        found = (
            f"a control character {match[0]!r}"
            if control
            else f"half of a surrogate pair, alone ({match[0]!r})"
        )
        cell = f"cell {number + 1}" if place == "header" else f"column {header[number]}"
        raise SourceError(
            where, f"{place}, {cell}", "text", f"{found} (binary data, or a file of another kind?)"
        )


# How far down a sheet or a CSV the header is looked for: a title, a unit line, a blank row and
# notes above the table fit many times over, and no more rows are compared with the profile.
HEADER_SEARCH_ROWS = 20


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
    at = _header_index(rows, file.profile, where)
    for row in rows[:at]:  # a title, a unit line ("(단위: 천원)")
        for text in dict.fromkeys(cell.text for cell in row.cells if cell.text):
            _check_stated_unit(file, text, row.place, f"the line {text[:80]!r}")
    if len(rows) == at + 1:
        raise SourceError(
            where, rows[at].place, "rows of budget lines below the header", "a header only"
        )
    header = [cell.text for cell in rows[at].cells]
    return header, [(row.place, [cell.text for cell in row.cells]) for row in rows[at + 1 :]]


def _header_index(rows: list[GridRow], profile: Profile, where: str) -> int:
    """The header: of the first ``HEADER_SEARCH_ROWS`` rows, the first naming a column of the
    most fields the profile requires (the portal's workbook has a title and a unit line above
    it). A header short of a field is taken all the same, so that its missing column is named;
    none naming any is refused."""
    wanted = [
        {column_key(name) for name in profile.fields[field]}
        for field in REQUIRED
        if field in profile.fields
    ]
    best, best_count = 0, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {column_key(cell.text) for cell in row.cells if cell.text}
        count = sum(1 for names in wanted if names & keys)
        if count > best_count:
            best, best_count = index, count
        if count == len(wanted):
            break
    if best_count == 0:
        names = ", ".join(profile.fields[field][0] for field in REQUIRED if field in profile.fields)
        raise SourceError(
            where, f"the first {HEADER_SEARCH_ROWS} rows",
            f"a header naming the columns of profile {profile.name} ({names}, …)",
            f"none; the first row reads {rows[0].joined[:80]!r}",
        )  # fmt: skip
    return best


def _declared_factor(file: PublisherFile) -> Decimal:
    """KRW million per unit the file's entry declares; an unknown unit is refused by name."""
    factors = unit_factors()
    if file.entry.unit not in factors:
        raise SourceError(
            str(file.path), "its sources.yml entry, unit",
            f"a unit of ref_units.csv ({', '.join(sorted(factors))})", repr(file.entry.unit),
        )  # fmt: skip
    return factors[file.entry.unit]


def _check_stated_unit(file: PublisherFile, text: str, place: str, what: str) -> None:
    """Each unit ``text`` states (``(천원)`` in a header, ``(단위: 천원)`` above the table) is
    the declared one, or the file is refused: the declaration is checked, never overridden."""
    declared = _declared_factor(file)
    for mention in units_in(text, place):
        if unit_factors().get(mention.unit_label) != declared:
            raise SourceError(
                str(file.path), place,
                f"amounts in {file.entry.unit}, the unit its sources.yml entry declares",
                f"{what} stating {mention.printed or mention.unit_label}",
            )  # fmt: skip


# The API's error answer: {"RESULT": {"CODE": "ERROR-300", "MESSAGE": …}} at the top level, or in
# the head of its service's answer, in place of the rows.
API_RESULT = "RESULT"


def _json_rows(data: bytes, where: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The Open Fiscal Data API's answer as saved: ``{"<service>": [{"head": …}, {"row": [{…}]}]}``
    (its body is sometimes a JSON text holding the JSON, decoded twice), or a plain list of rows.

    Bounded before a row is built (``core.limits``): nesting and digits as the text is parsed,
    then keys per record, distinct keys in the file and the cells they make."""
    text, _ = decode_text(data, where)
    document = limits.load_json(text, where)
    if isinstance(document, str):
        document = limits.load_json(document, where, "inside its JSON string, ")
    records = _json_records(document)
    if records is None:
        result = _api_result(document)
        if result is not None:
            raise SourceError(
                where, "whole file", "the API's answer with rows of data",
                f"an error answer of the API, not data: {result[0]} {result[1]!r} (save the "
                "answer of a request that succeeded)",
            )  # fmt: skip
        raise SourceError(
            where, "whole file", "the API's answer ({service: [{head}, {row: [records]}]})",
            f"another JSON document ({_json_kind(document)})",
        )  # fmt: skip
    if not records:
        raise SourceError(where, "whole file", "records of budget lines", "none")
    header = _json_header(records, where)
    limits.check(
        "TABLE_CELLS", len(records) * len(header), where, "whole file",
        f" ({len(records):,} records × {len(header):,} keys)",
    )  # fmt: skip
    return header, [
        (place, [_json_cell(record.get(key), where, place, key) for key in header])
        for place, record in ((f"record {n}", record) for n, record in enumerate(records, 1))
    ]


def _json_records(document: object) -> list[dict] | None:
    """The records of the API's answer or of a plain list of them; None for anything else."""
    records = document
    if isinstance(document, dict):  # {"<service>": [{"head": …}, {"row": […]}]}
        parts = next(iter(document.values())) if len(document) == 1 else None
        if not isinstance(parts, list):
            return None
        rows = [part["row"] for part in parts if isinstance(part, dict) and "row" in part]
        records = rows[0] if len(rows) == 1 else None
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        return None
    return records


def _api_result(document: object) -> tuple[str, str] | None:
    """The API's ``RESULT`` (code, message): at the top level, or in a service's ``head``."""
    if not isinstance(document, dict):
        return None
    results = [document.get(API_RESULT)]
    for parts in document.values():
        for part in parts if isinstance(parts, list) else ():
            head = part.get("head") if isinstance(part, dict) else None
            for item in head if isinstance(head, list) else ():
                results.append(item.get(API_RESULT) if isinstance(item, dict) else None)
    for result in results:
        if isinstance(result, dict) and ("CODE" in result or "MESSAGE" in result):
            return str(result.get("CODE", "")), str(result.get("MESSAGE", ""))
    return None


def _json_kind(document: object) -> str:
    if isinstance(document, dict):
        keys = ", ".join(repr(key) for key in list(document)[:5])
        return f"an object of {len(document):,} keys: {keys}" if document else "an empty object"
    if isinstance(document, list):
        return f"a list of {len(document):,} items, not all of them records"
    return f"a single value {str(document)[:40]!r}"


def _json_header(records: list[dict], where: str) -> list[str]:
    """Every key of the records in order of appearance, bounded: a record of 200,000 keys, or
    40,000 records of distinct keys, would make a table of as many columns."""
    per_record = limits.LIMITS["JSON_KEYS_PER_RECORD"].value
    per_file = limits.LIMITS["JSON_KEYS_PER_FILE"].value
    keys: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        if len(record) > per_record:
            limits.check("JSON_KEYS_PER_RECORD", len(record), where, f"record {number}")
        keys.update(dict.fromkeys(record))
        if len(keys) > per_file:
            limits.check(
                "JSON_KEYS_PER_FILE", len(keys), where, f"records 1–{number}", " keys so far"
            )
    return list(keys)


def _json_cell(value: object, where: str, place: str, key: str) -> str:
    """A record's value as text: a string, a number as printed, empty for null."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        kind = "an object" if isinstance(value, dict) else "a list"
        raise SourceError(where, f"{place}, column {key}", "a text or a number", kind)
    return str(value)


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
    by_key: dict[str, str] = {}
    for name in header[1:]:
        by_key.setdefault(column_key(name), name)
    profile, where = file.profile, str(file.path)
    _declared_factor(file)
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
        _check_stated_unit(file, found, f"header, column {found}", "a header")
        amounts.append((found, amount.phase, amount.fiscal_year_offset))
    if not amounts:
        names = " or ".join(name for amount in profile.amounts for name in amount.columns)
        raise SourceError(where, "header", f"an amount column ({names})", "none")
    _check_years(con, where, fields["fiscal_year"])
    return Columns(fields, amounts)


def _check_years(con: duckdb.DuckDBPyConnection, where: str, column: str) -> None:
    """Every row's fiscal year as DuckDB reads it later (``cast(… as integer)``): Python's
    ``int`` also reads digits DuckDB does not (``２０１６``, full-width), so a year is checked
    here by DuckDB's own cast, before rows are classified."""
    year = f"nullif(trim(r.{quote_identifier(column)}), '')"
    bad = con.execute(
        f"""select {PLACE}, {year} from publisher_rows as r
            where coalesce(try_cast({year} as integer) not between 1901 and 2199, true)
            order by length({PLACE}), {PLACE} limit 1"""
    ).fetchone()
    if bad:
        raise SourceError(where, f"{bad[0]}, column {column}", "a fiscal year", repr(bad[1]))


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
        f"select {year}, {account}, {sub}, {FIRST_PLACE} as first_place from publisher_rows "
        f"as r group by all order by length(first_place), first_place"
    ).fetchall()  # in the file's order: the first refusal is the first row that earns one
    eras = account_history()
    rows = []
    where = str(file.path)
    for combo in combinations:
        year_text, account_name, sub_name, place = combo
        fiscal_year = _year(year_text, where, place, columns)
        key, sub_key = (
            account_name_key(account_name or ""),
            account_name_key(sub_name or "") or None,
        )
        of_account = [e for e in eras if e.account_key == key and e.covers(fiscal_year)]
        if not of_account:
            _refuse_name_of_another_year(con, file, columns, fiscal_year, account_name, combo)
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


def _refuse_name_of_another_year(
    con: duckdb.DuckDBPyConnection,
    file: PublisherFile,
    columns: Columns,
    fiscal_year: int,
    account_name: str | None,
    combination: tuple,
) -> None:
    """A 회계 that is not the special account in ``fiscal_year`` is another 회계, unless it is a
    name the special account had in other years: a file writing this year's lines under an
    era's name (or the crosswalk's years being wrong for it) is an error to show, never rows to
    leave out as another 회계's."""
    key = account_name_key(account_name or "")
    eras = [e for e in account_history() if e.account_key == key and e.sub_account_key is None]
    if not key or not eras:
        return
    used = ", ".join(
        f"{e.first_year}–{e.last_year if e.last_year is not None else 'today'}" for e in eras
    )
    that_year = sorted({e.account_name for e in account_history() if e.covers(fiscal_year)})
    raise SourceError(
        str(file.path),
        f"{_first_place(con, columns, combination[0], combination[1])}, "
        f"column {columns.fields['account']}",
        f"the special account's name in {fiscal_year} ({' or '.join(that_year) or 'none known'};"
        " dbt_project/seeds/ref_account_history.csv lists each era's)",
        f"{account_name!r}, its name in {used}",
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


_ANY_SUB_ACCOUNT = object()


def _first_place(
    con: duckdb.DuckDBPyConnection,
    columns: Columns,
    year_text: str | None,
    account_name: str | None,
    sub_name: object = _ANY_SUB_ACCOUNT,  # a str or None, when the 계정 is to match too
) -> str:
    """The first row of the file with this year and 회계 (and 계정, when given)."""
    year, account, sub = (
        _column(columns, name) for name in ("fiscal_year", "account", "sub_account")
    )
    parameters: dict[str, object] = {"y": year_text, "a": account_name}
    where = f"{year} is not distinct from $y and {account} is not distinct from $a"
    if sub_name is not _ANY_SUB_ACCOUNT:
        where += f" and {sub} is not distinct from $s"
        parameters["s"] = sub_name
    (place,) = one_row(
        con.execute(
            f"select {PLACE} from publisher_rows as r where {where} "
            f"order by length({PLACE}), {PLACE} limit 1",
            parameters,
        )
    )
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
    # Compared in the file's unit, before any product could overflow DuckDB's decimals; a number
    # past decimal(38, 6) (10³⁵) is compared as a double, so it is named as too large too.
    most = (MAX_AMOUNT_KRW_MILLION / factor).quantize(Decimal("0.000001"), rounding=ROUND_FLOOR)
    large = con.execute(
        """select source_place, amount_column, amount_text from publisher_lines
           where coalesce(
               try_cast(replace(trim(amount_text), ',', '') as decimal(38, 6)) > $most,
               isfinite(try_cast(replace(trim(amount_text), ',', '') as double))
               and try_cast(replace(trim(amount_text), ',', '') as double) > $most_double)
           order by length(source_place), source_place limit 1""",
        {"most": most, "most_double": float(most)},
    ).fetchone()
    if large:
        raise SourceError(
            where, f"{large[0]}, column {large[1]}",
            f"an amount the warehouse holds: at most {most.normalize():,f} {file.entry.unit} "
            f"({MAX_AMOUNT_KRW_MILLION:,f} KRW million, its decimal(18, 3))",
            repr(large[2]),
        )  # fmt: skip
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


def _refuse_lines_landed_twice(con: duckdb.DuckDBPyConnection, file: PublisherFile) -> None:
    """The same lines from two files (one year's download registered as the API's answer and as
    the portal's CSV) would double every figure: two files giving lines of the same fiscal year,
    phase and layout for the same organisation are refused, naming both. Two local governments'
    books of one year are two organisations, and are read side by side."""
    twice = con.execute(
        """select other.source_file, line.fiscal_year, line.phase, line.organisation_code
           from raw.budget_lines as line
           join raw.budget_lines as other
             on other.fiscal_year = line.fiscal_year and other.phase = line.phase
             and other.line_source = line.line_source
             and other.organisation_code = line.organisation_code
             and other.source_file <> line.source_file
           where line.source_file = $source_file
           order by other.source_file, line.fiscal_year, line.phase, line.organisation_code
           limit 1""",
        {"source_file": file.source_file},
    ).fetchone()
    if twice:
        other, year, phase, organisation = twice
        raise SourceError(
            str(file.path), "whole file",
            f"one file per fiscal year, phase and layout ({file.profile.name}) for each "
            "organisation: the API's answer or the portal's download of a year, not both",
            f"{year} {phase} lines of {organisation!r} that {other} gives too",
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
