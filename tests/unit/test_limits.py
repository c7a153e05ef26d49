"""Hostile files are refused by a declared limit before any reader builds the table.

Each test writes a small hostile file into ``tmp_path`` (the generators are those of
``bench/hostile.py``, which measures what each refusal costs) and reads it the way ingest does. The
refusal must be a ``LimitError`` (raised by ``core.limits`` before openpyxl, ``lxml.html``, ``csv``
or PyYAML build anything; a parser's own refusal is a plain ``SourceError``) whose message names the
file, the limit, the value found and the environment variable that raises it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench import hostile
from pipelines.core import limits
from pipelines.core.errors import SourceError
from pipelines.core.limits import LimitError, LimitSettingError
from pipelines.landing.raw_landing import parse_source
from pipelines.sources.registry import RawSource, read_registry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "budget_tables"
# Columns × rows of a whole worksheet: XFD is column 16,384.
WHOLE_SHEET = 16_384 * 1_048_576


def read(path: Path, file_format: str) -> None:
    parse_source(RawSource(path.name, path, file_format, "t", "p", "enacted", False, None))


def refused(path: Path, file_format: str, limit: str) -> LimitError:
    """Read ``path`` as ingest does; it must be refused by ``limit``; return the error."""
    with pytest.raises(LimitError) as caught:
        read(path, file_format)
    return named(caught.value, path, limit)


def named(error: LimitError, path: Path, limit: str) -> LimitError:
    message = str(error)
    assert error.limit.name == limit, message
    assert message.startswith(f"{path}, "), message
    assert f"(limit {limit})" in message, message
    assert f"BND_LIMIT_{limit}=" in message, message  # how to raise it
    return error


def test_a_workbook_merging_the_whole_sheet_is_refused_by_the_merged_cells_limit(
    tmp_path: Path,
) -> None:
    error = refused(hostile.xlsx_merged_range(tmp_path / "m.xlsx"), "xlsx", "MERGED_CELLS")
    assert error.value == WHOLE_SHEET
    assert "<mergeCell ref='A1:XFD1048576'>" in str(error)
    assert "xl/worksheets/sheet1.xml" in str(error)


@pytest.mark.parametrize("declared", [True, False], ids=["dimension declared", "cell only"])
def test_a_cell_at_xfd1048576_is_refused_by_the_sheet_area_limit(
    tmp_path: Path, declared: bool
) -> None:
    path = hostile.xlsx_sparse_corner(tmp_path / "corner.xlsx", declared=declared)
    error = refused(path, "xlsx", "SHEET_AREA")
    assert error.value == WHOLE_SHEET
    assert ("<dimension ref='A1:XFD1048576'>" if declared else "cell XFD1048576") in str(error)


@pytest.mark.parametrize(
    ("declared", "found", "where"),
    [(None, 150_000, "<sst count>"), (1, 100_001, "strings so far")],
    ids=["count declared", "count understated"],
)
def test_a_huge_shared_strings_part_is_refused_by_the_shared_strings_limit(
    tmp_path: Path, declared: int | None, found: int, where: str
) -> None:
    path = hostile.xlsx_shared_strings(tmp_path / "sst.xlsx", 150_000, declared)
    error = refused(path, "xlsx", "XLSX_SHARED_STRINGS")
    assert (error.value, where in str(error)) == (found, True)


def test_a_shared_strings_part_larger_than_its_byte_limit_is_refused_from_the_zip_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = hostile.xlsx_shared_strings(tmp_path / "sst.xlsx", 2_000)
    monkeypatch.setenv("BND_LIMIT_XLSX_SHARED_STRINGS_BYTES", "10000")
    error = refused(path, "xlsx", "XLSX_SHARED_STRINGS_BYTES")
    assert error.value == len(hostile.shared_strings_xml(2_000).encode())


def test_a_zip_bomb_is_refused_by_the_compression_ratio_limit(tmp_path: Path) -> None:
    error = refused(hostile.xlsx_zip_bomb(tmp_path / "bomb.xlsx", 20), "xlsx", "XLSX_ZIP_RATIO")
    assert error.value > 100


def test_a_sheet_of_more_cells_than_the_limit_is_refused_while_streamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BND_LIMIT_TABLE_CELLS", "5000")
    error = refused(hostile.xlsx_many_cells(tmp_path / "cells.xlsx", 10_000), "xlsx", "TABLE_CELLS")
    assert error.value == 5_001


def test_an_html_table_with_huge_spans_is_refused_by_the_span_limit(tmp_path: Path) -> None:
    error = refused(hostile.html_spans(tmp_path / "spans.html"), "html", "HTML_SPAN")
    assert (error.value, "(colspan)" in str(error)) == (100_000, True)
    path = hostile.html_spans(tmp_path / "rows.html", rowspan=1_000_000, colspan=1)
    error = refused(path, "html", "HTML_SPAN")
    assert (error.value, "(rowspan)" in str(error)) == (1_000_000, True)


def test_an_html_table_whose_spans_expand_past_the_cell_limit_is_refused(tmp_path: Path) -> None:
    error = refused(hostile.html_many_cells(tmp_path / "cells.html"), "html", "TABLE_CELLS")
    assert error.value == 2 + 1_000 * 1_000  # the two header cells, then the first big one


def test_a_csv_line_of_100000_fields_is_refused_by_the_fields_limit(tmp_path: Path) -> None:
    error = refused(hostile.csv_fields(tmp_path / "wide.csv", lines=2), "csv", "FIELDS_PER_LINE")
    assert error.value == 100_000
    assert error.place == "line 2"


def test_a_csv_line_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    error = refused(hostile.csv_long_line(tmp_path / "long.csv"), "csv", "LINE_BYTES")
    assert (error.value, error.place) == (1_000_000 + len(",1\n"), "line 3")


def test_a_registry_alias_bomb_is_refused_before_yaml_builds_objects(tmp_path: Path) -> None:
    path = hostile.yaml_alias_bomb(tmp_path / "raw")
    with pytest.raises(LimitError) as caught:
        read_registry(path.parent)
    named(caught.value, path, "YAML_NODES")


def test_a_deeply_nested_registry_is_refused_by_the_depth_limit(tmp_path: Path) -> None:
    path = hostile.yaml_deep(tmp_path / "raw")
    with pytest.raises(LimitError) as caught:
        read_registry(path.parent)
    assert named(caught.value, path, "YAML_DEPTH").value == 33


def test_a_registry_of_many_aliases_is_refused_by_the_alias_limit(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    aliases = ", ".join(["*x"] * 101)
    (raw / "sources.yml").write_text(f"x: &x 1\nsources: []\ny: [{aliases}]\n", encoding="utf-8")
    with pytest.raises(LimitError) as caught:
        read_registry(raw)
    assert named(caught.value, raw / "sources.yml", "YAML_ALIASES").value == 101


def test_anchors_and_merge_keys_of_an_ordinary_registry_are_allowed() -> None:
    text = (
        "defaults: &defaults {publisher: MOEF, phase: enacted}\n"
        "sources:\n"
        "  - {<<: *defaults, file: a.csv, format: csv, title: A}\n"
        "  - {<<: *defaults, file: b.csv, format: csv, title: B}\n"
    )
    assert limits.safe_load_yaml(text, "sources.yml") == yaml.safe_load(text)
    assert limits.safe_load_yaml(text, "sources.yml")["sources"][1]["publisher"] == "MOEF"


def test_a_file_larger_than_the_size_limit_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = FIXTURES / "seven_rows.html"
    monkeypatch.setenv("BND_LIMIT_FILE_BYTES", "100")
    error = refused(path, "html", "FILE_BYTES")
    assert error.value == path.stat().st_size


def test_a_raised_limit_lets_the_file_through_to_the_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = hostile.csv_fields(tmp_path / "wide.csv", fields=1_500, lines=2)
    refused(path, "csv", "FIELDS_PER_LINE")
    monkeypatch.setenv("BND_LIMIT_FIELDS_PER_LINE", "2000")
    with pytest.raises(SourceError) as caught:
        read(path, "csv")
    assert not isinstance(caught.value, LimitError)  # the parser refused it: 2100 is no year
    assert "line 2, column 87: expected a fiscal year" in str(caught.value)
    assert "2100" in str(caught.value)


@pytest.mark.parametrize("value", ["many", "0", "-5"])
def test_a_limit_set_to_no_positive_number_is_an_error_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BND_LIMIT_HTML_SPAN", value)
    with pytest.raises(LimitSettingError, match=f"BND_LIMIT_HTML_SPAN='{value}'"):
        read(hostile.html_spans(tmp_path / "spans.html"), "html")


def test_every_budget_table_fixture_passes_every_limit() -> None:
    checks = {".csv": limits.check_csv, ".xlsx": limits.check_xlsx, ".html": limits.check_html}
    fixtures = [path for path in FIXTURES.glob("*.*") if path.suffix in checks]
    assert len(fixtures) >= 5
    for path in fixtures:
        checks[path.suffix](path.read_bytes(), str(path))
