"""Private parts of Dagster, dagster-dbt, dbt and the interpreter are used only in
``pipelines/platform/``, where ``test_platform_contracts.py`` watches each of them.

Read from the source with ``ast``: an import of a private module (a dotted name with a part
starting with ``_``) or of a private name from one of these libraries, an attribute such as
``atexit._run_exitfuncs`` on one of them, a private module named in a string (``-m
dagster._daemon``), an override of a private member of one of their classes, or one of the
internal names the shims use.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import re
from pathlib import Path

import pytest

from pipelines.core.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "pipelines"
PLATFORM = PACKAGE / "platform"
# Top-level modules whose private parts belong in pipelines/platform/.
GUARDED = {
    "dagster",
    "dagster_dbt",
    "dagster_webserver",
    "dagster_shared",
    "dagster_graphql",
    "dbt",
    "dbt_common",
    "atexit",
    "os",
    "sys",
}
# Internal names of these libraries without a leading underscore, used by the shims.
INTERNAL_NAMES = {
    "extended_mashumuro_decoder",
    "from_msgpack",
    "SqliteEventLogStorage",
    "INDEX_SHARD_NAME",
    "SQLITE_BUSY_TIMEOUT_SECONDS",
    "WorkspaceProcessContext",
    "ModuleTarget",
    "create_app_from_workspace_process_context",
    "get_ipc_shutdown_pipe",
    "open_ipc_subprocess",
    "send_ipc_shutdown_message",
}
# The issue's own check (issue 22): matches only in pipelines/platform/.
ISSUE_PATTERN = re.compile(r"from (dagster|dagster_dbt|dbt)[a-z_.]*\._|atexit\._")
PRIVATE_IN_STRING = re.compile(rf"\b(?:{'|'.join(sorted(GUARDED))})(?:\.\w+)*\._\w")


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_guarded(module: str) -> bool:
    return module.split(".")[0] in GUARDED


def private_uses(path: Path) -> list[str]:
    """Each use of a private part of a guarded library in ``path``, as ``line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    # Local names bound to a guarded module or to a name imported from one.
    modules: dict[str, str] = {}
    imported: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not is_guarded(alias.name):
                    continue
                if any(is_private(part) for part in alias.name.split(".")):
                    found.append(f"{node.lineno}: import {alias.name}")
                local = alias.asname or alias.name.split(".")[0]
                modules[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not is_guarded(node.module):
                continue
            if any(is_private(part) for part in node.module.split(".")):
                found.append(f"{node.lineno}: from {node.module} import ...")
            for alias in node.names:
                if is_private(alias.name):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
                imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and (root.id in modules or root.id in imported):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if PRIVATE_IN_STRING.search(node.value):
                found.append(f"{node.lineno}: names a private module in {node.value!r}")
        elif isinstance(node, ast.ClassDef):
            found.extend(_private_overrides(node, modules, imported))
        if isinstance(node, ast.Name | ast.Attribute | ast.alias):
            name = {ast.Name: "id", ast.Attribute: "attr", ast.alias: "name"}[type(node)]
            if getattr(node, name) in INTERNAL_NAMES:
                found.append(f"{getattr(node, 'lineno', '?')}: uses {getattr(node, name)}")
    return found


def _private_overrides(
    cls: ast.ClassDef, modules: dict[str, str], imported: dict[str, str]
) -> list[str]:
    """Members of ``cls`` that override a private member of a guarded library's base class."""
    bases = []
    for base in cls.bases:
        dotted = ast.unparse(base)
        head, _, rest = dotted.partition(".")
        if head in imported:
            bases.append(_resolve(imported[head] + (f".{rest}" if rest else "")))
        elif head in modules and rest:
            bases.append(_resolve(f"{modules[head]}.{rest}"))
    bases = [base for base in bases if isinstance(base, type)]
    found = []
    for member in cls.body:
        names = []
        if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [member.name]
        elif isinstance(member, ast.Assign | ast.AnnAssign):
            targets = member.targets if isinstance(member, ast.Assign) else [member.target]
            names = [target.id for target in targets if isinstance(target, ast.Name)]
        for name in names:
            if is_private(name) and any(hasattr(base, name) for base in bases):
                found.append(f"{member.lineno}: {cls.name}.{name} overrides a private member")
    return found


def _resolve(dotted: str) -> object:
    """The object a dotted name such as ``dagster_dbt.DbtCliResource`` names, or None."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for part in parts[split:]:
            found = getattr(found, part, None)
        return found
    return getattr(builtins, dotted, None)


OUTSIDE = sorted(
    path for path in PACKAGE.rglob("*.py") if PLATFORM not in path.parents and path != PLATFORM
)


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_private_api_outside_the_platform_package(path: Path) -> None:
    uses = private_uses(path)
    assert not uses, (
        f"{path.relative_to(PROJECT_ROOT)} uses private parts of a pinned library; move them "
        "into pipelines/platform/ (with a contract test): " + "; ".join(uses)
    )


def test_the_issues_grep_matches_in_the_platform_package_only() -> None:
    matches = {
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in PACKAGE.rglob("*.py")
        if ISSUE_PATTERN.search(path.read_text(encoding="utf-8"))
    }
    assert matches, "the platform package's shims are gone: drop this test with them"
    assert all(match.startswith("pipelines/platform/") for match in matches), matches


def test_the_checker_finds_each_kind_of_private_use(tmp_path: Path) -> None:
    """The scan itself: every kind of use it must catch, in a module of its own."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import atexit\n"
        "import dagster as dg\n"
        "from dagster._core.storage import x\n"
        "from dagster_dbt import DbtCliResource\n"
        "from dbt.parser.manifest import extended_mashumuro_decoder\n"
        "atexit._run_exitfuncs()\n"
        "dg._check\n"
        "command = ['-m', 'dagster._daemon', 'run']\n"
        "class Local(DbtCliResource):\n"
        "    def _initialize_dbt_core_adapter(self, args): ...\n"
        "    def _own_helper(self): ...\n",
        encoding="utf-8",
    )
    lines = sorted(int(use.split(":")[0]) for use in private_uses(sample))
    assert set(lines) == {3, 5, 6, 7, 8, 10}, private_uses(sample)
