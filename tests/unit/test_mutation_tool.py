"""The mutation tester itself (tests/mutation): it must find survivors, or its scores mean nothing.

Each test writes a tiny module and a tiny test of it into ``tmp_path`` and runs the tool on them
the way ``python -m tests.mutation.run`` runs it on the project's modules.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from tests.mutation.mutants import mutants
from tests.mutation.run import Equivalent, Target, mutation_test, read_equivalents, report

TINY = '''\
"""A tiny module: its docstring is never mutated."""


def greeting() -> str:
    return "hello"


def is_on() -> bool:
    return True


LIMIT = 3  # pragma: no mutate
'''
TINY_TEST = """\
import tiny


def test_is_on():
    assert tiny.is_on() is True
"""


def tiny_project(root: Path, module: str = TINY, test: str = TINY_TEST) -> Target:
    (root / "tiny.py").write_text(module, encoding="utf-8")
    (root / "test_tiny.py").write_text(test, encoding="utf-8")
    return Target("tiny.py", ("test_tiny.py",))


def test_a_mutant_the_test_catches_is_killed_and_one_it_misses_is_reported(tmp_path: Path) -> None:
    target = tiny_project(tmp_path)
    before = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in tmp_path.iterdir()}
    (result,) = mutation_test([target], tmp_path, fixtures=None)
    assert [m.text for m in result.killed] == ["True → False"]
    assert [m.text for m in result.survived] == ["'hello' → 'XXhelloXX'"]
    assert (result.counted, result.score) == (2, 50.0)
    text = report([result])
    assert "mutants 2, killed 1, survived 1, score 50.0 %" in text
    assert "survived   tiny.py:5: 'hello' → 'XXhelloXX'  (no test executes it)" in text
    # The files the tool mutated are as they were: mutants live in a temporary directory.
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()} == before


def test_a_listed_equivalent_is_shown_and_not_counted(tmp_path: Path) -> None:
    target = tiny_project(tmp_path)
    listed = tmp_path / "equivalent.txt"
    listed.write_text(
        "# file:line: mutant  # why\n"
        "tiny.py:5: 'hello' → 'XXhelloXX'  # nobody reads the greeting\n"
        "tiny.py:99: 1 → 2  # no longer in the module\n",
        encoding="utf-8",
    )
    equivalents = read_equivalents(listed)
    assert equivalents[0] == Equivalent(
        "tiny.py", 5, "'hello' → 'XXhelloXX'", "nobody reads the greeting"
    )
    (result,) = mutation_test([target], tmp_path, fixtures=None, equivalents=equivalents)
    assert (result.counted, len(result.killed), result.score) == (1, 1, 100.0)
    text = report([result])
    assert "equivalent tiny.py:5: 'hello' → 'XXhelloXX'  # nobody reads the greeting" in text
    assert "but no surviving mutant matches: tiny.py:99: 1 → 2" in text


def test_a_mutant_that_never_ends_is_killed_by_the_timeout(tmp_path: Path) -> None:
    module = "def countdown(n):\n    while n != 0:\n        n -= 1\n    return n\n"
    test = "from tiny import countdown\n\n\ndef test_countdown():\n    assert countdown(3) == 0\n"
    target = tiny_project(tmp_path, module, test)
    (result,) = mutation_test([target], tmp_path, fixtures=None, timeout=3)
    # n += 1, n -= 0, n -= 2 and n != -1 never end; n == 0 and n != 1 end with a wrong n.
    assert {m.text for m in result.killed} == {
        "n != 0 → n == 0",
        "n != 0 → n != 1",
        "n != 0 → n != -1",
        "n -= 1 → n += 1",
        "1 → 2",
        "1 → 0",
    }
    assert result.survived == []


def test_every_operator_makes_its_mutants() -> None:
    source = textwrap.dedent(
        '''\
        def f(a, b, flag=True) -> "str":
            """Docstring."""
            "a bare string"
            if a < b and not flag:
                raise ValueError(f"{a} is small")
            return a * b - 1 >= b'''
    )
    assert {(m.line, m.text) for m in mutants(source)} == {
        (1, "True → False"),
        (4, "a < b and (not flag) → a < b or not flag"),
        (4, "a < b and (not flag) → a <= b and (not flag)"),
        (4, "a < b and (not flag) → a < b and flag"),
        (5, "raise ValueError(f'{a} is small') → pass"),
        (5, "ValueError(f'{a} is small') → ValueError(f'XX{a} is small')"),
        (6, "a * b - 1 >= b → a * b - 1 > b"),
        (6, "a * b - 1 >= b → a * b + 1 >= b"),
        (6, "a * b - 1 >= b → a / b - 1 >= b"),
        (6, "a * b - 1 >= b → a * b - 2 >= b"),
        (6, "a * b - 1 >= b → a * b - 0 >= b"),
    }


@pytest.mark.parametrize("line", ["x = 1  # pragma: no mutate", "x: int = 1  # pragma: no mutate"])
def test_a_line_marked_no_mutate_makes_no_mutant(line: str) -> None:
    assert mutants(line + "\n") == []
    assert len(mutants(line.partition("  #")[0] + "\n")) == 2  # 1 → 2 and 1 → 0
