"""The source registry and reading raw files: every problem names the file and what to do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.raw_landing import parse_page_source
from pipelines.sources.registry import LOCAL_BOOKS_FOLDER, RawSource, load_registry, read_source
from tests.helpers import page_entry, replace_in_page, replace_in_registry
from tests.source_figures import HISTORY_FILE, PAGE_FILE, PAGE_SHA256


def test_the_committed_registry_describes_the_page(raw_copy: Path) -> None:
    source = page_entry(raw_copy)
    assert source.file == PAGE_FILE
    assert source.format == "page_text"
    # The page does not state the phase: the registry default is used, and marked as such.
    assert (source.phase, source.is_phase_default) == ("enacted", True)
    assert read_source(source).sha256 == PAGE_SHA256


def test_an_unregistered_file_says_how_to_register_it(raw_copy: Path) -> None:
    (raw_copy / "budget_2021.csv").write_text("Category,2021\nTotal,1\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_registry(raw_copy)
    message = str(caught.value)
    assert "budget_2021.csv" in message and "an unregistered file" in message
    assert "- file: budget_2021.csv" in message


def test_a_registered_file_that_is_missing(raw_copy: Path) -> None:
    (raw_copy / PAGE_FILE).unlink()
    with pytest.raises(SourceError, match=f"file '{PAGE_FILE}'.*no such file"):
        load_registry(raw_copy)


def _register_page_with_phase(raw_copy: Path, phase: str) -> None:
    registry = raw_copy / "sources.yml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace("    format: page_text\n", f"    format: page_text\n    phase: {phase}\n"),
        encoding="utf-8",
    )


def test_an_invalid_phase_is_rejected_with_its_entry(raw_copy: Path) -> None:
    _register_page_with_phase(raw_copy, "audited")
    with pytest.raises(SourceError, match=r"entry 1 under 'sources'.*found 'audited'"):
        load_registry(raw_copy)


def test_an_explicit_phase_is_not_a_default(raw_copy: Path) -> None:
    _register_page_with_phase(raw_copy, "supplementary_1")
    source = page_entry(raw_copy)
    assert (source.phase, source.is_phase_default) == ("supplementary_1", False)


def test_a_missing_registry(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"sources\.yml, whole file: expected a source registry"):
        load_registry(tmp_path)


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_an_empty_file_is_rejected(raw_copy: Path, content: bytes) -> None:
    (raw_copy / PAGE_FILE).write_bytes(content)
    source = page_entry(raw_copy)
    with pytest.raises(SourceError, match=f"{PAGE_FILE}, whole file: .*empty or blank"):
        read_source(source)


def test_bytes_that_are_not_utf8_name_their_line(raw_copy: Path) -> None:
    page = raw_copy / PAGE_FILE
    page.write_bytes(page.read_bytes().replace(b"Category", "구분".encode("cp949")))
    source = page_entry(raw_copy)
    with pytest.raises(SourceError, match=r"line 53, byte \d+: expected UTF-8 text"):
        parse_page_source(source)


def _registered_page_with(raw_copy: Path, old: str, new: str) -> RawSource:
    replace_in_page(raw_copy, old, new)
    source = page_entry(raw_copy)
    return source


def test_an_unknown_row_label_names_the_seed_to_extend(raw_copy: Path) -> None:
    source = _registered_page_with(raw_copy, "By Cities and Provinces", "By Towns")
    with pytest.raises(SourceError) as caught:
        parse_page_source(source)
    message = str(caught.value)
    assert f"{PAGE_FILE}, line 57" in message
    assert "ref_budget_line_aliases.csv" in message and "'By Towns'" in message


def test_an_unknown_unit_names_the_title_line(raw_copy: Path) -> None:
    source = _registered_page_with(raw_copy, "(Unit: KRW 1 million)", "(Unit: USD)")
    with pytest.raises(SourceError, match=r"line 50: expected a unit listed in .*found 'USD'"):
        parse_page_source(source)


def test_korean_labels_from_the_alias_seed_are_accepted(raw_copy: Path) -> None:
    source = _registered_page_with(raw_copy, "Total 10,338,940", "합계 10,338,940")
    assert parse_page_source(source).table.row_labels[0] == "합계"


@pytest.mark.parametrize(
    "label",
    ["시ㆍ도 자율편성", "시・도  자율편성", "시·도\u200b 자율편성", "BY CITIES AND PROVINCES"],
)
def test_label_variants_resolve_to_their_line(raw_copy: Path, label: str) -> None:
    source = _registered_page_with(raw_copy, "By Cities and Provinces", label)
    page = parse_page_source(source)
    printed = " ".join(label.split())  # the parser keeps labels with single spaces
    assert page.line_codes[printed] == "local_autonomous_city_province"


def test_the_same_line_twice_under_two_labels_names_both_lines(raw_copy: Path) -> None:
    total = "Total 10,338,940 9,973,926 9,462,271 9,889,905 10,748,531 9,232,811"
    source = _registered_page_with(raw_copy, total, f"{total}\n합계{total.removeprefix('Total')}")
    with pytest.raises(SourceError) as caught:
        parse_page_source(source)
    message = str(caught.value)
    assert (
        "line 55" in message and "'합계' is the same line (total) as 'Total' on line 54" in message
    )


def test_the_same_row_printed_twice_names_both_lines(raw_copy: Path) -> None:
    sejong = (
        "Sejong Special Self-Governing City Account 102,218 103,694 102,649 100,428 103,496 72,808"
    )
    source = _registered_page_with(raw_copy, sejong, f"{sejong}\n{sejong}")
    with pytest.raises(SourceError, match=r"line 60: .*same line \(sejong\) as .* on line 59"):
        parse_page_source(source)


def test_a_table_without_a_registered_year_is_rejected(raw_copy: Path) -> None:
    source = _registered_page_with(
        raw_copy, "Category 2015 2016 2017 2018 2019 2020", "Category 2015 2016 2017 2019 2020 2021"
    )
    with pytest.raises(SourceError, match=r"line 53: expected the years 2015–2020 registered"):
        parse_page_source(source)


def test_a_malformed_years_range_in_the_registry(raw_copy: Path) -> None:
    registry = raw_copy / "sources.yml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("years: 2015-2020", "years: 2020-2015"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"entry 1 .*years as a range such as 2015-2020"):
        load_registry(raw_copy)


def test_the_registry_declares_the_counts_of_the_plan_documents(raw_copy: Path) -> None:
    source = page_entry(raw_copy)
    assert source.has_plan_documents and source.declared_counts is not None
    assert {name: declared.count for name, declared in source.declared_counts.items()} == {
        "project_areas": 11,
        "funding_scope_items": 7,
        "formulation_methods": 8,
        "budget_change_notes": 4,
    }
    assert all(declared.basis for declared in source.declared_counts.values())


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        ("count: 11", "count: '11'", "'11'"),  # a string is not a count
        ("count: 11", "count: true", "True"),
        ("count: 11", "count: 0", "'count': 0"),
        ("count: 11", "count: 11.5", "11.5"),
    ],
)
def test_a_declared_count_must_be_a_positive_integer(
    raw_copy: Path, old: str, new: str, found: str
) -> None:
    replace_in_registry(raw_copy, old, new)
    with pytest.raises(SourceError) as caught:
        load_registry(raw_copy)
    message = str(caught.value)
    assert "plan_documents, declared_counts, project_areas" in message
    assert "a positive integer 'count'" in message and found in message


def test_every_list_needs_a_declared_count(raw_copy: Path) -> None:
    replace_in_registry(raw_copy, "        budget_change_notes:", "        change_notes:")
    with pytest.raises(SourceError, match="unknown 'change_notes', no 'budget_change_notes'"):
        load_registry(raw_copy)


def test_a_page_without_plan_documents(raw_copy: Path) -> None:
    registry = raw_copy / "sources.yml"
    text = registry.read_text(encoding="utf-8")
    # The registry cut before the page's plan documents (and the entries after them).
    registry.write_text(text[: text.index("    plan_documents:")], encoding="utf-8")
    (raw_copy / HISTORY_FILE).unlink()
    shutil.rmtree(raw_copy / LOCAL_BOOKS_FOLDER)
    source = page_entry(raw_copy)
    assert not source.has_plan_documents
