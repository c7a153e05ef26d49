"""The package's layers: each folder imports only from the folders below it, with no cycle.

Read from the source (every ``import`` statement, at any depth), so a function-local import that
hides a cycle counts too. The order tells the flow of a run:

    core → sources → landing → checks → reports → lifecycle → platform → defs → definitions
    → cli, ui
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pipelines.core.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "pipelines"
LAYERS = [
    "core",  # settings, errors, limits, SQL quoting, progress lines, failpoints, faults
    "sources",  # reading raw files: registry, reference seeds, parsers of every format
    "landing",  # parsed sources into the build's raw schema and landing database
    "checks",  # dbt results and GX suites read and run, in plain words
    "reports",  # the data-quality report (dq.json, index.html)
    "lifecycle",  # run lock, build, build record, publishing, history, rollback, exports
    "platform",  # the one home of private Dagster, dagster-dbt, dbt and Python APIs
    "defs",  # the Dagster assets, checks, jobs, sensors
    "definitions",  # the Dagster code location
    "cli",  # make run / docs / rollback
    "ui",  # make dev
]
# Plain logic: no Dagster, dagster-dbt or dbt import in these layers.
NO_DAGSTER = {"core", "sources", "landing", "checks", "reports", "lifecycle"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def imports_of(path: Path) -> list[tuple[str, int, bool]]:
    """(module imported, line, inside a function) for every import statement in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [f"{child.module}.{alias.name}" for alias in child.names]
                # `from pipelines.lifecycle import history` imports the module history
                found.extend(
                    (name if _is_module(name) else child.module, child.lineno, in_function)
                    for name in names
                )
            visit(child, inside)

    visit(tree, False)
    return found


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (PROJECT_ROOT / relative.with_suffix(".py")).is_file() or (
        PROJECT_ROOT / relative / "__init__.py"
    ).is_file()


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_folder_of_the_package_has_a_layer() -> None:
    layers = {layer_of(module) for module in MODULES} - {""}
    assert layers <= {*LAYERS, "__main__"}, layers - set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_from_its_own_layer_or_below(module: str) -> None:
    own = layer_of(module)
    for imported, line, in_function in imports_of(MODULES[module]):
        if imported.split(".")[0] in ("dagster", "dagster_dbt", "dbt", "dagster_webserver"):
            assert own not in NO_DAGSTER, f"{module}:{line} imports {imported}"
        if not imported.startswith("pipelines."):
            continue
        assert not in_function, f"{module}:{line} imports {imported} inside a function"
        theirs = layer_of(imported)
        if own in ("", "__main__") or theirs == "":
            continue  # the package's own __init__ and __main__
        assert LAYERS.index(theirs) <= LAYERS.index(own), (
            f"{module}:{line} imports {imported}: {own} may not import from {theirs}, "
            "a layer above it"
        )


def test_no_module_imports_itself_back_through_others() -> None:
    graph = {
        module: {
            imported
            for imported, _, _ in imports_of(path)
            if imported in MODULES and imported != module
        }
        for module, path in MODULES.items()
    }
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", "import cycle: " + " → ".join([*trail, module])
        state[module] = "open"
        for imported in sorted(graph[module]):
            visit(imported, [*trail, module])
        state[module] = "done"

    for module in sorted(graph):
        visit(module, [])
