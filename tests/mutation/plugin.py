"""pytest plugin of the mutation tester: loads one module from a mutant's compiled code.

``run.py`` starts ``pytest -p tests.mutation.plugin`` with ``BND_MUTANT_MODULE`` (the dotted name),
``BND_MUTANT_CODE`` (a file of the mutant's code, ``marshal``-ed, in a temporary directory) and
``BND_MUTANT_ORIGIN`` (the module's own path, for tracebacks). A finder first on ``sys.meta_path``
answers for that one name, so every import of the module in the test process gets the mutant and
the file in the working tree is only ever read.

pytest loads ``-p`` plugins before conftest files and test modules, so the finder is in place
before anything imports the module.

With ``BND_MUTANT_TRACE`` (a file to write) the run also records which lines of the module each
test executes, and which ran on import (``""``): a mutant then runs only under the tests that
reach it. The mutation runs skip the project's conftest
(``--noconftest``: its session hook parses the dbt project, seconds per run that unit tests of
pure modules do not need) and take its fixtures from ``BND_MUTANT_FIXTURES`` (``tests.conftest``)
instead, without its hooks.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import json
import marshal
import os
import sys
from pathlib import Path

import pytest


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, name: str, code_file: str, origin: str) -> None:
        self.name, self.code_file, self.origin = name, code_file, origin

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=self.origin)

    def create_module(self, spec):
        return None  # the default module object

    def exec_module(self, module) -> None:
        module.__file__ = self.origin
        code = marshal.loads(Path(self.code_file).read_bytes())
        exec(code, module.__dict__)


def _install() -> None:
    name = os.environ.get("BND_MUTANT_MODULE")
    if not name:
        return
    if name in sys.modules:
        raise RuntimeError(f"{name} was imported before the mutation plugin could replace it")
    finder = _MutantFinder(name, os.environ["BND_MUTANT_CODE"], os.environ["BND_MUTANT_ORIGIN"])
    sys.meta_path.insert(0, finder)


class _LineTrace:
    """Lines of one file executed, per test; ``""`` holds those run outside tests (the import)."""

    def __init__(self, origin: str, output: str) -> None:
        self.origin, self.output = origin, output
        self.lines: dict[str, set[int]] = {"": set()}
        self.seconds: dict[str, float] = {}  # each test's time, to run the quickest first
        self.current = self.lines[""]
        sys.settrace(self._call)

    def _call(self, frame, event, arg):
        if frame.f_code.co_filename != self.origin:
            return None  # no line events for other code: the tests run at nearly full speed
        self.current.add(frame.f_lineno)
        return self._line

    def _line(self, frame, event, arg):
        if event == "line":
            self.current.add(frame.f_lineno)
        return self._line

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item):
        self.current = self.lines.setdefault(item.nodeid, set())
        sys.settrace(self._call)  # again: a test may have changed the trace function
        yield
        self.current = self.lines[""]

    def pytest_runtest_logreport(self, report) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self) -> None:
        sys.settrace(None)
        lines = {test: sorted(numbers) for test, numbers in self.lines.items()}
        trace = {"lines": lines, "seconds": self.seconds}
        Path(self.output).write_text(json.dumps(trace), encoding="utf-8")


def _fixtures() -> dict[str, object]:
    """The fixtures of the module ``BND_MUTANT_FIXTURES`` (a conftest), none of its hooks."""
    name = os.environ.get("BND_MUTANT_FIXTURES")
    if not name:
        return {}
    module = importlib.import_module(name)
    return {
        key: value
        for key, value in vars(module).items()
        if not key.startswith("pytest_") and hasattr(value, "_get_wrapped_function")
    }


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("BND_MUTANT_TRACE"):
        config.pluginmanager.register(_TRACE, "bnd-mutant-trace")


_install()
_TRACE = (
    _LineTrace(os.environ["BND_MUTANT_ORIGIN"], os.environ["BND_MUTANT_TRACE"])
    if os.environ.get("BND_MUTANT_TRACE")
    else None
)
globals().update(_fixtures())
