"""The mutants of a module's source: one small change each, made on its syntax tree.

Operators: comparisons (``<`` ↔ ``<=``, ``>`` ↔ ``>=``, ``==`` ↔ ``!=``), arithmetic (``+`` ↔
``-``, ``*`` ↔ ``/``, ``//`` → ``*``, also in ``+=``…), whole numbers (n → n+1, n → n-1, so 0 ↔ 1),
booleans (``True`` ↔ ``False``, keyword arguments included), ``and`` ↔ ``or``, ``not x`` → ``x``,
strings and bytes (``'a'`` → ``'XXaXX'``, an f-string as one string), and ``raise …`` → ``pass``.

Not mutated: docstrings and other bare strings (they do nothing), annotations (never evaluated
under ``from __future__ import annotations``) and any line marked ``# pragma: no mutate``.

A mutant is found again by its number in the tree's walk order, so it is applied to a fresh parse
of the same source text and compiled with the original file name: tracebacks and ``line`` numbers
stay those of the file.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import CodeType

PRAGMA = "pragma: no mutate"
SHOWN = 72  # characters of each side of a mutant shown in reports

_COMPARISONS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
_COMPARISONS |= {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
_ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
_ARITHMETIC |= {ast.FloorDiv: ast.Mult}
_BOOLEAN = {ast.And: ast.Or, ast.Or: ast.And}


@dataclass(frozen=True)
class Mutant:
    node: int  # the mutated node's position in ``ast.walk`` order
    variant: int  # which change of that node
    line: int
    original: str  # the code around the change, before and after
    mutated: str
    # Lines whose execution reaches the change: the changed node's and its statement's first.
    reached_on: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.original} → {self.mutated}"


def mutants(source: str) -> list[Mutant]:
    """Every mutant of ``source``, in a stable order."""
    tree = ast.parse(source)
    context = _context(tree, source)
    return [
        _describe(source, number, variant)
        for number, node in enumerate(ast.walk(tree))
        for variant in range(len(_changes(node, context)))
    ]


def compile_mutant(source: str, filename: str, mutant: Mutant | None) -> CodeType:
    """The module's code with ``mutant`` applied (none: the code as it is)."""
    tree = ast.parse(source)
    if mutant is not None:
        _apply(tree, source, mutant.node, mutant.variant)
        ast.fix_missing_locations(tree)  # an inserted node takes its parent's place
    return compile(tree, filename, "exec", dont_inherit=True)


# --- finding and applying changes --------------------------------------------------------------


@dataclass
class _Context:
    parents: dict[int, ast.AST]
    skipped: set[int]  # ids of nodes not mutated: docstrings, annotations, pragma lines
    lines: list[str]


def _context(tree: ast.AST, source: str) -> _Context:
    """Parents and skipped nodes of ``tree``."""
    parents = {
        id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)
    }
    lines = source.splitlines()
    skipped: set[int] = set()
    for node in ast.walk(tree):
        roots = []
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            roots.append(node.value)  # a docstring or a bare string: no effect
        if isinstance(node, ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            roots.append(node.returns)
        if isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
        for root in roots:
            skipped.update(id(inner) for inner in ast.walk(root))
        line = getattr(node, "lineno", None)
        if line is not None and PRAGMA in lines[line - 1]:
            skipped.add(id(node))
    return _Context(parents, skipped, lines)


Change = Callable[[], ast.AST]  # applies one change in place; returns the node to show


def _changes(node: ast.AST, context: _Context) -> list[Change]:
    """The changes ``node`` can take, each a function applying it in place."""
    if id(node) in context.skipped:
        return []
    parent = context.parents.get(id(node))
    changes: list[Change] = []
    if isinstance(node, ast.Compare):
        for index, op in enumerate(node.ops):
            if type(op) in _COMPARISONS:
                changes.append(_setter(node, node.ops, index, _COMPARISONS[type(op)]()))
    elif isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _ARITHMETIC:
        changes.append(_setter(node, node, "op", _ARITHMETIC[type(node.op)]()))
    elif isinstance(node, ast.BoolOp):
        changes.append(_setter(node, node, "op", _BOOLEAN[type(node.op)]()))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        changes.append(_replacer(parent, node, node.operand))
    elif isinstance(node, ast.Raise):
        changes.append(_replacer(parent, node, ast.copy_location(ast.Pass(), node)))
    elif isinstance(node, ast.JoinedStr) and not isinstance(parent, ast.FormattedValue):
        changes.append(lambda: (node.values.insert(0, ast.Constant("XX")), node)[1])
    elif isinstance(node, ast.Constant) and not isinstance(parent, ast.JoinedStr):
        value = node.value
        if isinstance(value, bool):
            changes.append(_setter(node, node, "value", not value))
        elif isinstance(value, int):
            changes.append(_setter(node, node, "value", value + 1))
            changes.append(_setter(node, node, "value", value - 1))
        elif isinstance(value, str):
            changes.append(_setter(node, node, "value", f"XX{value}XX"))
        elif isinstance(value, bytes):
            changes.append(_setter(node, node, "value", b"XX" + value + b"XX"))
    return changes


def _setter(shown: ast.AST, target: object, key: str | int, value: object) -> Change:
    def apply() -> ast.AST:
        if isinstance(key, int):
            target[key] = value  # type: ignore[index]
        else:
            setattr(target, key, value)
        return shown

    return apply


def _replacer(parent: ast.AST | None, old: ast.AST, new: ast.AST) -> Change:
    def apply() -> ast.AST:
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
            elif isinstance(value, list) and any(item is old for item in value):
                value[[id(item) for item in value].index(id(old))] = new
        return new

    return apply


def _walk_to(tree: ast.AST, number: int) -> ast.AST:
    for position, node in enumerate(ast.walk(tree)):
        if position == number:
            return node
    raise IndexError(number)


def _apply(tree: ast.AST, source: str, number: int, variant: int) -> ast.AST:
    node = _walk_to(tree, number)
    return _changes(node, _context(tree, source))[variant]()


def _describe(source: str, number: int, variant: int) -> Mutant:
    """The mutant with the code around it before and after, for reports and equivalents."""
    before = ast.parse(source)
    node = _walk_to(before, number)
    context = _context(before, source)
    shown = _around(node, context.parents)
    path = _path_to(before, shown)
    after = ast.parse(source)
    _apply(after, source, number, variant)
    # The same place in the changed tree: the changed expression, or what replaced it.
    original, mutated = _pair(_show(shown), _show(_follow(after, path)))
    statement = node
    while not isinstance(statement, ast.stmt) and id(statement) in context.parents:
        statement = context.parents[id(statement)]
    end = node.end_lineno or node.lineno
    reached_on = tuple(sorted({statement.lineno, *range(node.lineno, end + 1)}))
    return Mutant(number, variant, node.lineno, original, mutated, reached_on)


def _around(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    """The largest expression around ``node`` still short enough to show (context for a reader)."""
    shown = node
    while True:
        parent = parents.get(id(shown))
        if (
            isinstance(node, ast.Raise)
            or not isinstance(parent, (ast.expr, ast.keyword))
            or isinstance(parent, (ast.JoinedStr, ast.FormattedValue))
            or len(_show(parent)) > SHOWN
        ):
            return shown
        shown = parent


def _path_to(tree: ast.AST, target: ast.AST) -> list[tuple[str, int | None]]:
    """Fields leading from ``tree`` to ``target``, to find the same place in a changed tree."""

    def search(node: ast.AST) -> Iterator[list[tuple[str, int | None]]]:
        if node is target:
            yield []
            return
        for field, value in ast.iter_fields(node):
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                if isinstance(item, ast.AST):
                    for rest in search(item):
                        yield [(field, index if isinstance(value, list) else None), *rest]

    return next(search(tree))


def _follow(tree: ast.AST, path: list[tuple[str, int | None]]) -> ast.AST:
    node = tree
    for field, index in path:
        node = getattr(node, field) if index is None else getattr(node, field)[index]
    return node


def _show(node: ast.AST) -> str:
    return " ".join(ast.unparse(node).split())


def _pair(before: str, after: str) -> tuple[str, str]:
    """Both sides cut to ``SHOWN`` characters, from a little before where they first differ."""
    if max(len(before), len(after)) <= SHOWN:
        return before, after
    differ = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
        min(len(before), len(after)),
    )
    start = max(0, min(differ - 20, max(len(before), len(after)) - SHOWN))

    def cut(text: str) -> str:
        head = "…" if start else ""
        window = text[start : start + SHOWN - len(head)]
        tail = "…" if start + len(window) < len(text) else ""
        return head + window[: len(window) - len(tail)] + tail

    return cut(before), cut(after)
