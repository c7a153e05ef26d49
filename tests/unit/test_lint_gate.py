"""The lint gate: ``make test`` (and so CI, ``.ci/run``) lints first, and ``make lint`` runs ruff,
mypy and sqlfluff, so the gate cannot disappear without a test failing.

Read from the Makefile's text (no make run): each rule's prerequisites and recipe lines, with
backslash-continued lines joined.
"""

from __future__ import annotations

import re
import tomllib

from pipelines.core.settings import PROJECT_ROOT

# The layers without Dagster (tests/unit/test_layering.py): the ones mypy checks.
PLAIN_LAYERS = ["core", "sources", "landing", "checks", "reports", "lifecycle"]
RULE = re.compile(r"^(?P<targets>[A-Za-z0-9_.$()/ -]+?)\s*:(?!=)\s*(?P<prerequisites>[^#]*)")


def rules(text: str) -> dict[str, tuple[list[str], list[str]]]:
    """Target → (prerequisites, recipe lines) of a Makefile."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    current: list[str] | None = None
    for line in re.sub(r"\s*\\\n\s*", " ", text).splitlines():
        if line.startswith("\t"):
            if current is not None:
                current.append(line.strip())
            continue
        if not line.strip() or line.startswith("#"):
            continue  # blank lines and comments do not end a recipe
        match = RULE.match(line)
        if match is None or "=" in line.split(":", 1)[0]:
            current = None  # a variable or directive: the recipe before it has ended
            continue
        current = []
        for target in match["targets"].split():
            found[target] = (match["prerequisites"].split(), current)
    return found


MAKEFILE = rules((PROJECT_ROOT / "Makefile").read_text(encoding="utf-8"))


def test_the_parser_reads_prerequisites_recipes_and_continuations() -> None:
    lines = ["X := 1", "a: b c  ## help", "\tfirst \\", "\t  second", "", "# a comment"]
    parsed = rules("\n".join([*lines, "\tthird", "b:", "\tfourth", "Y = 2", "\tnot a recipe"]))
    assert parsed["a"] == (["b", "c"], ["first second", "third"])
    assert parsed["b"] == ([], ["fourth"])
    assert "X" not in parsed


def test_make_test_lints_before_the_suite() -> None:
    prerequisites, recipe = MAKEFILE["test"]
    assert prerequisites[0] == "lint", prerequisites
    assert any("pytest" in line for line in recipe), recipe


def test_make_lint_runs_ruff_mypy_and_sqlfluff() -> None:
    _, recipe = MAKEFILE["lint"]
    commands = " ; ".join(recipe)
    for tool in (
        r"/ruff check pipelines tests bench\b",
        r"/ruff format --check pipelines tests bench\b",
        r"/mypy\b",
        r"/sqlfluff lint\b.*\bdbt_project/models\b",
    ):
        assert re.search(tool, commands), f"make lint does not run {tool!r}: {recipe}"
    # A failing command must fail the target: no `-` prefix, no `|| true`.
    assert not [line for line in recipe if line.startswith("-") or "|| true" in line], recipe


def test_mypy_checks_every_plain_layer() -> None:
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mypy = config["tool"]["mypy"]
    assert sorted(mypy["files"]) == sorted(f"pipelines/{layer}" for layer in PLAIN_LAYERS)
    assert mypy["check_untyped_defs"] and mypy["warn_unused_ignores"]
    assert "mypy" in " ".join(config["dependency-groups"]["dev"])
