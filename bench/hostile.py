"""Hostile raw files, and what their refusal costs: ``.venv/bin/python -m bench.hostile``.

Each case writes one file that would make a reader allocate far more than its size (a merged range
of the whole sheet, a cell at XFD1048576, ``rowspan=1000000``, 100,000 fields on a line, a YAML
alias bomb, a huge shared-strings part, a zip bomb, a JSON answer of 40,000 distinct keys or
200,000 nested arrays), then reads it the way ingest does (``parse_source``, ``read_registry`` for
the registry, ``land_lines`` for a publisher's JSON line file) in a fresh Python process. The table
gives the wall time of that process (start-up and imports included), its peak resident memory
(``VmHWM``, the kernel's high-water mark since the process started), the time of the read
itself, and the limit that refused the file. Targets: ≤ 5 s and ≤ 500 MB each.

The generators are plain functions so the unit tests (``tests/unit/test_limits.py``) write the
same files, smaller where size does not matter to the check.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

# --- generators --------------------------------------------------------------------------------

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
{shared_override}
</Types>"""
_SHARED_OVERRIDE = """<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Budget" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
{shared}
</Relationships>"""
_SHARED_REL = """<Relationship Id="rId2" Target="sharedStrings.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>"""
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# A small budget table's cells, as a sheet holds them (inline strings, numbers).
TABLE_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Account</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>2015</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>Total</t></is></c><c r="B2"><v>10338940</v></c>'
    "</row>"
)


def write_xlsx(
    path: Path,
    sheet_data: str = TABLE_ROWS,
    *,
    dimension: str | None = "A1:B2",
    after_sheet_data: str = "",
    shared_strings: str | None = None,
) -> Path:
    """A minimal workbook of one sheet from its XML in parts (openpyxl opens the harmless ones)."""
    dimension_xml = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
        f"{dimension_xml}<sheetData>{sheet_data}</sheetData>{after_sheet_data}</worksheet>"
    )
    shared = shared_strings is not None
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(shared_override=_SHARED_OVERRIDE if shared else ""),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        relationships = _WORKBOOK_RELS.format(shared=_SHARED_REL if shared else "")
        archive.writestr("xl/_rels/workbook.xml.rels", relationships)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return path


def xlsx_merged_range(path: Path) -> Path:
    """A two-row table whose sheet merges every cell of the sheet into one range."""
    merge = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    return write_xlsx(path, after_sheet_data=merge)


def xlsx_sparse_corner(path: Path, *, declared: bool = True) -> Path:
    """A two-row table plus one empty cell at XFD1048576, the last cell of a sheet."""
    corner = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return write_xlsx(path, TABLE_ROWS + corner, dimension="A1:XFD1048576" if declared else None)


def shared_strings_xml(count: int, declared: int | None = None) -> str:
    strings = "".join(f"<si><t>s{i}</t></si>" for i in range(count))
    shown = count if declared is None else declared
    return f'<sst xmlns="{MAIN_NS}" count="{shown}" uniqueCount="{shown}">{strings}</sst>'


def xlsx_shared_strings(path: Path, count: int = 3_000_000, declared: int | None = None) -> Path:
    """A two-row table and a shared-strings part of ``count`` strings (declaring ``declared``)."""
    return write_xlsx(path, shared_strings=shared_strings_xml(count, declared))


def xlsx_many_cells(path: Path, cells: int = 1_000_000) -> Path:
    """A sheet of ``cells`` numbers in rows of 100 and no declared dimension (read to the end)."""
    rows = []
    for row in range(1, cells // 100 + 1):
        values = "".join(f"<c><v>{row * 100 + column}</v></c>" for column in range(100))
        rows.append(f'<row r="{row}">{values}</row>')
    return write_xlsx(path, "".join(rows), dimension=None)


def xlsx_zip_bomb(path: Path, megabytes: int = 200) -> Path:
    """A sheet whose XML is padded with ``megabytes`` MB of spaces (1,000:1 compressed)."""
    padding = " " * (megabytes * 1024 * 1024)
    return write_xlsx(path, TABLE_ROWS + padding)


def html_spans(path: Path, rowspan: int = 1_000_000, colspan: int = 100_000) -> Path:
    """A budget table whose first cell spans ``rowspan`` rows and ``colspan`` columns."""
    path.write_text(
        "<html><body><table><caption>Budget (KRW 1 million)</caption>"
        f'<tr><th rowspan="{rowspan}" colspan="{colspan}">Account</th><th>2015</th></tr>'
        "<tr><td>Total</td><td>10,338,940</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return path


def html_many_cells(path: Path, cells: int = 300, span: int = 1_000) -> Path:
    """A table of ``cells`` cells, each within the span limit but spanning ``span`` × ``span``."""
    row = "".join(f'<td rowspan="{span}" colspan="{span}">{i}</td>' for i in range(cells))
    path.write_text(
        f"<html><body><table><tr><th>Account</th><th>2015</th></tr><tr>{row}</tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    return path


def csv_fields(path: Path, fields: int = 100_000, lines: int = 20) -> Path:
    """A title line, then ``lines`` lines of ``fields`` fields (a year header, then figures)."""
    header = "Account," + ",".join(str(2015 + i) for i in range(fields - 1))
    row = "Total," + ",".join("1" for _ in range(fields - 1))
    path.write_text(
        "\n".join(["Budget (KRW 1 million)", header, *[row] * (lines - 1)]) + "\n",
        encoding="utf-8",
    )
    return path


def csv_long_line(path: Path, length: int = 1_000_000) -> Path:
    """A table whose label on line 3 is ``length`` characters long."""
    path.write_text(
        f"Budget (KRW 1 million)\nAccount,2015\n{'x' * length},1\nTotal,10338940\n",
        encoding="utf-8",
    )
    return path


def yaml_alias_bomb(raw_dir: Path, levels: int = 9, width: int = 9) -> Path:
    """A registry whose ``note`` is a "billion laughs": ``levels`` of ``width`` nested aliases."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join(f"*a{level - 1}" for _ in range(width))
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines += [
        "sources:",
        "  - file: page.txt",
        "    format: page_text",
        "    title: t",
        "    publisher: p",
        "    phase: enacted",
        f"    note: *a{levels}",
    ]
    (raw_dir / "sources.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (raw_dir / "page.txt").write_text("page\n", encoding="utf-8")
    return raw_dir / "sources.yml"


def yaml_deep(raw_dir: Path, depth: int = 10_000) -> Path:
    """A registry nested ``depth`` flow sequences deep."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    (raw_dir / "sources.yml").write_text(f"sources: {'[' * depth}{']' * depth}\n", encoding="utf-8")
    return raw_dir / "sources.yml"


def _line_file(raw_dir: Path, text: str) -> Path:
    """``text`` as a publisher's JSON line file (the Open Fiscal Data API's answer) in a raw
    folder of its own, registered with its profile, as ingest finds it."""
    from pipelines.core.settings import PROJECT_ROOT

    path = raw_dir / "budget_lines" / "2016" / "api.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_ROOT / "data_raw" / "profiles", raw_dir / "profiles")
    (raw_dir / "sources.yml").write_text(
        "sources: []\nline_files:\n  - file: budget_lines/2016/api.json\n"
        "    profile: open_fiscal_data_detail_budget\n    unit: 천원\n",
        encoding="utf-8",
    )
    path.write_text(text, encoding="utf-8")
    return path


def _api_answer(records_json: str) -> str:
    head = '{"ExpenditureBudgetInit5": [{"head": [{"list_total_count": 1}]}, {"row": ['
    return head + records_json + "]}]}"


def _api_record(amount: str, more: str = "") -> str:
    """A record of the API's detail budget, its 13 keys as the answer holds them (``more``
    keys after them)."""
    return (
        '{"FSCL_YY": "2016", "OFFC_NM": "합성부처", "FSCL_NM": "지역발전특별회계", '
        '"ACCT_NM": "경제발전계정", "FLD_NM": "지역개발", "SECT_NM": "지역및도시", '
        '"PGM_NM": "합성프로그램", "ACTV_NM": "합성단위사업", "SACTV_NM": "합성세부사업", '
        '"BZ_CLS_NM": "사업비", "FIN_DE_EP_NM": "일반", "Y_YY_MEDI_KCUR_AMT": '
        + amount
        + ', "Y_YY_DFN_MEDI_KCUR_AMT": 1000'
        + more
        + "}"
    )


def json_key_bomb(raw_dir: Path, records: int = 40_000) -> Path:
    """The API's answer whose ``records`` records each have a key of its own (~600 KB): read
    as it was, a table of 40,000 columns × 40,000 rows (62 s and 7.1 GB before a MemoryError)."""
    rows = ", ".join(f'{{"k{number:05}": 1}}' for number in range(records))
    return _line_file(raw_dir, _api_answer(rows))


def json_wide_record(raw_dir: Path, keys: int = 200_000) -> Path:
    """One record of the API's 13 keys and ``keys`` more (~3 MB): DuckDB ran out of memory."""
    extra = ", ".join(f'"K{number:06}": 1' for number in range(keys))
    return _line_file(raw_dir, _api_answer(_api_record("1000", ", " + extra)))


def json_deep(raw_dir: Path, depth: int = 200_000) -> Path:
    """``depth`` nested arrays (json.loads raises RecursionError)."""
    return _line_file(raw_dir, "[" * depth + "]" * depth)


def json_long_number(raw_dir: Path, digits: int = 5_000) -> Path:
    """The API's answer with an amount of ``digits`` digits (Python's int refuses it with a
    ValueError past 4,300)."""
    return _line_file(raw_dir, _api_answer(_api_record("9" * digits)))


# --- measuring ---------------------------------------------------------------------------------

# name → (write the file(s) under a folder and return the path to read, what to call on it)
CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "xlsx merged range A1:XFD1048576": (lambda d: xlsx_merged_range(d / "t.xlsx"), "xlsx"),
    "xlsx cell at XFD1048576": (lambda d: xlsx_sparse_corner(d / "t.xlsx"), "xlsx"),
    "xlsx 3,000,000 shared strings": (lambda d: xlsx_shared_strings(d / "t.xlsx"), "xlsx"),
    "xlsx 200,000 strings, count='1'": (
        lambda d: xlsx_shared_strings(d / "t.xlsx", 200_000, declared=1),
        "xlsx",
    ),
    "xlsx 1,000,000 cells, no dimension": (lambda d: xlsx_many_cells(d / "t.xlsx"), "xlsx"),
    "xlsx zip bomb (200 MB sheet)": (lambda d: xlsx_zip_bomb(d / "t.xlsx"), "xlsx"),
    "html rowspan=1000000 colspan=100000": (lambda d: html_spans(d / "t.html"), "html"),
    "html 300 cells of 1000×1000": (lambda d: html_many_cells(d / "t.html"), "html"),
    "csv 100,000 fields × 20 lines": (lambda d: csv_fields(d / "t.csv"), "csv"),
    "registry YAML alias bomb (9^9)": (lambda d: yaml_alias_bomb(d / "raw"), "registry"),
    "registry YAML nested 10,000 deep": (lambda d: yaml_deep(d / "raw"), "registry"),
    "json 40,000 records of distinct keys": (lambda d: json_key_bomb(d / "raw"), "line_file"),
    "json record of 200,000 keys": (lambda d: json_wide_record(d / "raw"), "line_file"),
    "json 200,000 nested arrays": (lambda d: json_deep(d / "raw"), "line_file"),
    "json 5,000-digit amount": (lambda d: json_long_number(d / "raw"), "line_file"),
}


def refuse(path: Path, how: str) -> dict[str, object]:
    """Read ``path`` as ingest does: what refused it, and how long the read took in this process."""
    from pipelines.core.errors import SourceError
    from pipelines.core.limits import LimitError
    from pipelines.landing.raw_landing import parse_source
    from pipelines.sources.registry import RawSource, read_registry

    started = time.perf_counter()
    try:
        if how == "registry":
            read_registry(path.parent)
        elif how == "line_file":
            _land_line_file(path.parents[2])
        else:
            source = RawSource(path.name, path, how, "t", "p", "enacted", False, None)
            parse_source(source)
    except LimitError as error:
        refused_by = f"limit {error.limit.name} (found {error.value:,})"
    except SourceError as error:
        refused_by = f"parser: {str(error)[:60]}"
    else:
        refused_by = "ACCEPTED"
    seconds = time.perf_counter() - started
    return {"refused_by": refused_by, "read_s": seconds, "peak_bytes": _peak_rss()}


def _land_line_file(raw_dir: Path) -> None:
    """Land the raw folder's line files of 2016 as ingest does (publishers' files included)."""
    import duckdb

    from pipelines.landing.budget_lines import land_lines
    from pipelines.landing.line_files import find_line_files
    from pipelines.sources.profiles import publisher_layouts

    layouts = publisher_layouts(raw_dir)
    with duckdb.connect() as con:
        files = find_line_files(raw_dir, [2016], layouts)
        land_lines(con, files, [2016], None, layouts, raw_dir)


def _peak_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    from bench.measure import measure

    rows = []
    with tempfile.TemporaryDirectory(prefix="bnd-hostile-") as scratch:
        for number, (name, (write, how)) in enumerate(CASES.items()):
            folder = Path(scratch) / str(number)
            folder.mkdir()
            path = write(folder)
            log = folder / "child.json"
            measured = measure(
                [sys.executable, "-m", "bench.hostile", "--child", str(path), how], log=log
            )
            child = json.loads(log.read_text().strip().splitlines()[-1])
            rows.append((name, path.stat().st_size, measured, child))
    print(f"{'case':40} {'file bytes':>12} {'wall s':>7} {'read s':>7} {'peak MB':>8}  refused by")
    ok = True
    for name, size, measured, child in rows:
        peak = max(measured.peak_bytes, child["peak_bytes"]) / 1e6
        ok &= measured.seconds <= 5 and peak <= 500 and child["refused_by"].startswith("limit")
        print(
            f"{name:40} {size:>12,} {measured.seconds:>7.2f} {child['read_s']:>7.2f} "
            f"{peak:>8.0f}  {child['refused_by']}"
        )
    print("targets ≤ 5 s and ≤ 500 MB, each refused by a limit:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(refuse(Path(sys.argv[2]), sys.argv[3])))
        sys.exit(0)
    sys.exit(main())
