"""data_raw/README.md lists exactly what the folder holds, and the page's checksum is its own."""

from __future__ import annotations

import hashlib
import re

from pipelines.sources.registry import LOCAL_BOOKS_FOLDER
from tests.conftest import DATA_RAW
from tests.source_figures import PAGE_FILE


def _listed() -> list[str]:
    text = (DATA_RAW / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE)


def test_the_readme_lists_every_file_and_folder_of_data_raw_and_nothing_else():
    present = sorted(
        path.name + ("/" if path.is_dir() else "")
        for path in DATA_RAW.iterdir()
        if path.name != "README.md" and not path.name.startswith(".")
    )
    assert sorted(_listed()) == present


def test_the_readme_names_each_profile_and_the_page_s_sha256():
    text = (DATA_RAW / "README.md").read_text(encoding="utf-8")
    for profile in (DATA_RAW / "profiles").iterdir():
        assert f"`{profile.name}`" in text
    digest = hashlib.sha256((DATA_RAW / PAGE_FILE).read_bytes()).hexdigest()
    assert f"`{PAGE_FILE}` | " in text and f"sha256 `{digest}`" in text


def test_the_readme_names_each_local_budget_book_with_its_sha256():
    text = (DATA_RAW / "README.md").read_text(encoding="utf-8")
    books = sorted((DATA_RAW / LOCAL_BOOKS_FOLDER).iterdir())
    assert books
    for book in books:
        digest = hashlib.sha256(book.read_bytes()).hexdigest()
        assert f"`{book.name}`" in text and f"sha256 `{digest}`" in text
