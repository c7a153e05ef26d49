"""``.env``: read strictly, never over what the environment says."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.core.env_file import ENV_FILE_ENV, MAX_BYTES, load_env_file, parse_env_file
from pipelines.core.errors import SourceError
from pipelines.core.settings import PROJECT_ROOT


def test_the_example_the_readme_says_to_copy_is_read_as_written() -> None:
    variables = parse_env_file(PROJECT_ROOT / ".env.example")
    assert variables["BND_DATA_RAW"] == "data_raw"
    assert variables["BND_WAREHOUSE_DIR"] == "warehouse"
    assert variables["DAGSTER_PORT"] == "3000"
    assert variables["BND_REFRESH_CRON"] == "0 6 1 * *"  # quoted: the quotes are not the value


def test_quotes_export_comments_and_no_expansion(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(
        "# settings\n\n"
        "export A=1\n"
        "B = 'two words'  # a comment\n"
        'C="$HOME #not a comment"\n'
        "D=\n"
        "E=plain value # comment\n",
        encoding="utf-8",
    )
    assert parse_env_file(path) == {
        "A": "1",
        "B": "two words",
        "C": "$HOME #not a comment",
        "D": "",
        "E": "plain value",
    }


@pytest.mark.parametrize(
    "line", ["NOT A VARIABLE", "1X=2", 'A="unclosed', "A='x' trailing", "A"], ids=repr
)
def test_a_line_that_is_no_variable_names_the_file_and_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / ".env"
    path.write_text(f"OK=1\n# fine\n{line}\n", encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        parse_env_file(path)
    assert str(raised.value).startswith(f"{path}, line 3: expected NAME=value")


def test_an_oversized_or_binary_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big, binary = tmp_path / "big.env", tmp_path / "binary.env"
    big.write_bytes(b"A=1\n" * (MAX_BYTES // 4 + 1))
    binary.write_bytes(b"A=\xff\n")
    with pytest.raises(SourceError, match="expected at most 65,536 bytes"):
        parse_env_file(big)
    with pytest.raises(SourceError, match="expected UTF-8 text"):
        parse_env_file(binary)


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.env"
    path.write_text("BND_WAREHOUSE_DIR=/from/the/file\nBND_MAX_AGE_DAYS=9\n", encoding="utf-8")
    environ = {ENV_FILE_ENV: str(path), "BND_WAREHOUSE_DIR": "/from/the/shell"}

    assert load_env_file(tmp_path, environ) == path

    assert environ["BND_WAREHOUSE_DIR"] == "/from/the/shell"
    assert environ["BND_MAX_AGE_DAYS"] == "9"


def test_no_file_changes_nothing(tmp_path: Path) -> None:
    environ = {"A": "1"}
    assert load_env_file(tmp_path, environ) is None  # tmp_path/.env does not exist
    assert environ == {"A": "1"}


def test_a_named_file_that_is_not_there_is_an_error_not_no_settings(tmp_path: Path) -> None:
    missing = tmp_path / "typo.env"
    with pytest.raises(SourceError, match=f"^{missing}, {ENV_FILE_ENV}: expected a settings file"):
        load_env_file(tmp_path, {ENV_FILE_ENV: str(missing)})
    environ = {ENV_FILE_ENV: os.devnull}  # how the tests say "no settings": an empty file
    load_env_file(tmp_path, environ)
    assert environ == {ENV_FILE_ENV: os.devnull}


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "settings.env"
    folder.mkdir()  # a folder where the file should be: reading it fails
    with pytest.raises(SourceError, match="expected a readable settings file"):
        parse_env_file(folder)
