"""Names from files are printed as they are spelled, never obeyed by the terminal."""

from __future__ import annotations

import pytest

from pipelines.core.errors import SourceError
from pipelines.core.printable import printable, printable_lines

FORGED = "x.csv\x1bc\n  149 checks: 149 passed, 0 warnings, 0 failed"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1bc", "\\x1bc"),  # ESC c: resets the terminal
        ("a\nb", "a\\nb"),  # a newline forges a line
        ("a\rb", "a\\rb"),
        ("a\tb", "a\\tb"),
        ("\x00", "\\x00"),
        ("\x7f", "\\x7f"),
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("abc\u202efdp.exe", "abc\\u202efdp.exe"),  # right-to-left override
        ("\u2066x\u2069", "\\u2066x\\u2069"),  # isolates
        ("a\u200bb", "a\\u200bb"),  # zero-width space
        ("a\u2028b", "a\\u2028b"),  # line separator
        ("\ufeffx", "\\ufeffx"),
    ],
)
def test_control_and_reordering_characters_are_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown


@pytest.mark.parametrize(
    "text",
    ["지역발전특별회계 2,313,150", "광역·지역발전특별회계", "x ~!@#$%^&*()[]{}'\"", "\u00a0"],
)
def test_printable_text_is_left_as_it_is(text: str) -> None:
    assert printable(text) == text


def test_lines_keep_their_newlines_and_escape_the_rest() -> None:
    assert printable_lines("a\x1b\nb\tc") == "a\\x1b\nb\\tc"


def test_a_source_error_prints_a_forged_name_on_one_line() -> None:
    error = SourceError(f"/raw/{FORGED}", "line 1\x1b[2J", "a \x07 value", "'\x1b]0;x\x07'")
    message = str(error)
    assert "\n" not in message and "\x1b" not in message and "\x07" not in message
    assert "x.csv\\x1bc\\n  149 checks" in message
    assert error.file == f"/raw/{FORGED}"  # the attribute keeps the name as it is
