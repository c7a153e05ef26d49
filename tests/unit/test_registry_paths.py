"""Registry ``file:`` entries stay inside the raw folder; links only where the entry allows them.

Every refusal comes from reading the registry (``load_registry``), which opens no raw file: a
path outside the folder is refused before anything could read it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.registry import load_registry, read_source
from tests.helpers import page_entry, replace_in_registry
from tests.source_figures import PAGE_FILE, PAGE_SHA256

ENTRY = f"file: {PAGE_FILE}"


def _register(raw: Path, file: str, extra: str = "") -> None:
    replace_in_registry(raw, ENTRY, f"file: '{file}'{extra}")


@pytest.mark.parametrize(
    ("file", "found"),
    [
        ("../../../../../etc/passwd", "'..' (a path leading out of the folder)"),
        ("sub/../../outside.txt", "'..' (a path leading out of the folder)"),
        ("/etc/passwd", "an absolute path"),
    ],
)
def test_a_path_out_of_the_raw_folder_is_refused_naming_the_entry(
    raw_copy: Path, file: str, found: str
) -> None:
    _register(raw_copy, file)
    with pytest.raises(SourceError) as error:
        load_registry(raw_copy)
    assert error.value.file == str(raw_copy / "sources.yml")
    assert error.value.place == f"entry 1 under 'sources', file {file!r}"
    assert error.value.found == found


def test_a_symlink_is_refused_unless_the_entry_allows_it(raw_copy: Path) -> None:
    page = raw_copy / PAGE_FILE
    page.rename(raw_copy / ".page.txt")  # hidden: not an unregistered file
    page.symlink_to(raw_copy / ".page.txt")
    with pytest.raises(SourceError) as error:
        load_registry(raw_copy)
    assert error.value.place == f"entry 1 under 'sources', file {PAGE_FILE!r}"
    assert error.value.found == "a symbolic link"
    assert "allow_symlink: true" in error.value.expected

    _register(raw_copy, PAGE_FILE, "\n    allow_symlink: true")
    source = page_entry(raw_copy)
    assert source.allow_symlink and read_source(source).sha256 == PAGE_SHA256


def test_an_allowed_symlink_leading_out_of_the_folder_is_refused(
    raw_copy: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    (raw_copy / PAGE_FILE).rename(outside)
    (raw_copy / PAGE_FILE).symlink_to(outside)
    _register(raw_copy, PAGE_FILE, "\n    allow_symlink: true")
    with pytest.raises(SourceError) as error:
        load_registry(raw_copy)
    assert error.value.place == f"entry 1 under 'sources', file {PAGE_FILE!r}"
    assert error.value.found == f"a symbolic link leading out of it ({outside})"


def test_a_symlinked_folder_on_the_way_is_a_symlink_too(raw_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (raw_copy / PAGE_FILE).rename(outside / PAGE_FILE)
    (raw_copy / "sub").symlink_to(outside)
    _register(raw_copy, f"sub/{PAGE_FILE}")
    with pytest.raises(SourceError) as error:
        load_registry(raw_copy)
    assert error.value.found == f"a symbolic link leading out of it ({outside / PAGE_FILE})"


def test_allow_symlink_must_be_true_or_false(raw_copy: Path) -> None:
    _register(raw_copy, PAGE_FILE, "\n    allow_symlink: sometimes")
    with pytest.raises(SourceError, match=r"allow_symlink: expected true or false"):
        load_registry(raw_copy)


def test_a_link_put_in_place_after_the_registry_was_read_is_not_followed(
    raw_copy: Path, tmp_path: Path
) -> None:
    source = page_entry(raw_copy)
    outside = tmp_path / "secret.txt"
    outside.write_text("not a source\n", encoding="utf-8")
    source.path.unlink()
    source.path.symlink_to(outside)
    with pytest.raises(SourceError) as error:
        read_source(source)
    assert error.value.file == str(source.path)
    assert error.value.expected == "a regular file inside the raw folder"
    # An entry that allows links reads it (its target was checked when the registry was read).
    assert read_source(dataclasses.replace(source, allow_symlink=True)).data == (b"not a source\n")


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "https://x.org/a b", "ftp://x.org/f", "x" * 9],
)
def test_a_url_must_be_an_http_address(raw_copy: Path, url: str) -> None:
    _register(raw_copy, PAGE_FILE, f"\n    url: '{url}'")
    with pytest.raises(SourceError, match=r"url: expected an http:// or https:// address"):
        load_registry(raw_copy)


def test_the_provenance_of_a_source_is_read_from_its_entry(raw_copy: Path) -> None:
    url = "https://example.org/budget?id=1&lang=en"
    _register(raw_copy, PAGE_FILE, f"\n    url: '{url}'\n    publication_date: 2020-12-02")
    source = page_entry(raw_copy)
    assert (source.url, str(source.publication_date)) == (url, "2020-12-02")
    assert source.licence == "not stated on the page"  # as data_raw/sources.yml registers it


# --- the profiles folder: folders stay inside the raw folder too ------------------------------


def _registered_line_file(tmp_path: Path) -> Path:
    from tests.publisher_files import (
        API_HEADER,
        OFD,
        detail_rows_2016,
        raw_with_profiles,
        register_line_file,
        write_csv,
    )

    raw = raw_with_profiles(tmp_path)
    write_csv(raw / "budget_lines" / "2016" / "api.csv", API_HEADER, detail_rows_2016())
    register_line_file(raw, "budget_lines/2016/api.csv", OFD, "천원")
    return raw


def test_a_profiles_folder_linked_out_of_the_raw_folder_is_refused(tmp_path: Path) -> None:
    from pipelines.sources.profiles import publisher_layouts

    raw = _registered_line_file(tmp_path)
    outside = tmp_path / "outside_profiles"
    (raw / "profiles").rename(outside)
    (raw / "profiles").symlink_to(outside)
    with pytest.raises(SourceError) as error:
        publisher_layouts(raw)
    assert (error.value.file, error.value.place) == (str(raw / "profiles"), "folder")
    assert error.value.found == f"a symbolic link leading out of it ({outside})"


def test_a_profiles_folder_linked_inside_the_raw_folder_is_read(tmp_path: Path) -> None:
    from pipelines.sources.profiles import publisher_layouts

    raw = _registered_line_file(tmp_path)
    (raw / "profiles").rename(raw / ".profiles")
    (raw / "profiles").symlink_to(raw / ".profiles")
    [(_, profile)] = publisher_layouts(raw).values()
    assert profile.name == "open_fiscal_data_detail_budget"


def test_a_raw_folder_reached_through_a_link_reads_its_own_profiles(tmp_path: Path) -> None:
    from pipelines.sources.profiles import publisher_layouts

    raw = _registered_line_file(tmp_path)
    (tmp_path / "raw_link").symlink_to(raw)
    [(_, profile)] = publisher_layouts(tmp_path / "raw_link").values()
    assert profile.path == tmp_path / "raw_link" / "profiles" / f"{profile.name}.yml"


def test_a_profile_that_is_a_link_is_refused(tmp_path: Path) -> None:
    from pipelines.sources.profiles import publisher_layouts

    raw = _registered_line_file(tmp_path)
    profile = raw / "profiles" / "open_fiscal_data_detail_budget.yml"
    profile.rename(tmp_path / "outside.yml")
    profile.symlink_to(tmp_path / "outside.yml")
    with pytest.raises(SourceError) as error:
        publisher_layouts(raw)
    assert error.value.place == "entry 1 under 'line_files', profile"
    assert error.value.found == "'open_fiscal_data_detail_budget'"
