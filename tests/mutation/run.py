"""Mutation testing of the pure modules against their unit tests.

    .venv/bin/python -m tests.mutation.run [module ...] [--jobs 2] [--timeout SECONDS]
                                           [--fail-under PERCENT]

``module`` is a name of ``MODULES`` (``limits``), a dotted name or a path; none runs them all.

For each module, its unit tests first run once on the module as it is (they must pass), recording
which lines of the module each test executes. Then each mutant runs in a pytest process of its
own, with the mutant loaded by ``plugin.py``, two at a time, under the tests that execute the
mutated line (all of them when the line runs on import), and a survivor once more under all of
them (a cached result can carry a line's effect into a test that did not execute it). A mutant is
killed when the tests fail or time out (so a mutant that loops forever is caught), and survives
when they pass or when no test executes it. The report gives per module the mutants, killed,
survived and the score, and each survivor as ``file:line: original → mutant``.

Equivalent mutants (no test can tell them from the module: the same behaviour by another road)
are listed in ``equivalent.txt`` with why; they are shown and not counted.

Nothing in the working tree is written: mutants are compiled from a snapshot of the source into a
temporary directory, and the test processes write no bytecode and no pytest cache.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.mutation.mutants import Mutant, compile_mutant, mutants

PROJECT = Path(__file__).resolve().parents[2]
EQUIVALENT = Path(__file__).with_name("equivalent.txt")

# Each module and the unit tests that test it: every unit test file importing it and those
# written for it.
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "limits": (
        "pipelines/core/limits.py",
        (
            "tests/unit/test_limits.py",
            "tests/unit/test_publisher_json.py",  # the JSON limits
            "tests/unit/test_named_refusals.py",  # YAML values safe_load_yaml cannot build
        ),
    ),
    "amounts": (
        "pipelines/sources/amounts.py",
        (
            "tests/unit/test_amounts.py",
            "tests/unit/test_table_formats.py",
            "tests/unit/test_control_totals.py",  # amounts and units of control totals
        ),
    ),
    "control_totals": (
        "pipelines/sources/control_totals.py",
        ("tests/unit/test_control_totals.py",),
    ),
    "cited_figures": (
        "pipelines/sources/cited_figures.py",
        ("tests/unit/test_cited_figures.py",),
    ),
    "local_budget_book": (
        "pipelines/sources/local_budget_book.py",
        ("tests/unit/test_local_budget_book.py", "tests/unit/test_local_books_registry.py"),
    ),
    "csv_rows": (
        "pipelines/sources/csv_rows.py",
        (
            "tests/unit/test_cited_figures.py",
            "tests/unit/test_control_totals.py",
            "tests/unit/test_acknowledgements.py",
        ),
    ),
    "page_table": (
        "pipelines/sources/page_table.py",
        ("tests/unit/test_page_table.py", "tests/unit/test_table_messages.py"),
    ),
}
PYTEST_OPTIONS = ("-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=", "--noconftest")


@dataclass(frozen=True)
class Target:
    path: str  # relative to the root
    tests: tuple[str, ...]

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")


@dataclass(frozen=True)
class Equivalent:
    path: str
    line: int
    text: str  # "original → mutant" as the report shows it
    why: str


@dataclass
class Result:
    target: Target
    killed: list[Mutant] = field(default_factory=list)
    survived: list[Mutant] = field(default_factory=list)
    unreached: set[Mutant] = field(default_factory=set)  # survivors no test executes
    equivalent: list[tuple[Mutant, Equivalent]] = field(default_factory=list)
    stale: list[Equivalent] = field(default_factory=list)  # listed, but no such mutant now

    @property
    def counted(self) -> int:
        return len(self.killed) + len(self.survived)

    @property
    def score(self) -> float:
        return 100.0 * len(self.killed) / self.counted if self.counted else 100.0


class BaselineError(RuntimeError):
    """The tests fail on the module as it is: no mutant can be judged."""


def mutation_test(
    targets: Sequence[Target],
    root: Path = PROJECT,
    *,
    jobs: int = 2,
    timeout: float | None = None,
    equivalents: Sequence[Equivalent] = (),
    fixtures: str | None = "tests.conftest",
    progress=None,
) -> list[Result]:
    """Run every mutant of every target; ``timeout`` per mutant (default: from the clean run)."""
    with tempfile.TemporaryDirectory(prefix="bnd-mutation-") as scratch:
        runs = []
        for target in targets:
            source = (root / target.path).read_text(encoding="utf-8")  # the snapshot
            runner = _Runner(root, Path(scratch), target, source, fixtures)
            started = time.monotonic()
            passed, output, trace = runner.trace()
            if not passed:
                raise BaselineError(f"{target.tests} fail without any mutant:\n{output[-3000:]}")
            limit = timeout or max(10.0, 4 * (time.monotonic() - started))
            runs += [(runner, m, _tests_reaching(m, trace), limit) for m in mutants(source)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(lambda run: _judge(*run, progress), runs))
    results = {target: Result(target) for target in targets}
    for (runner, mutant, tests, _), killed in zip(runs, outcomes, strict=True):
        result = results[runner.target]
        (result.killed if killed else result.survived).append(mutant)
        if not tests:
            result.unreached.add(mutant)
    for result in results.values():
        _set_aside_equivalents(result, [e for e in equivalents if e.path == result.target.path])
    return list(results.values())


def _tests_reaching(mutant: Mutant, trace: dict[str, set[int]]) -> tuple[str, ...]:
    """The tests that execute the mutated code, quickest first (``-x`` stops at the first to
    fail): all when it runs on import (a constant, a decorator, a default), else those whose run
    executed one of its lines; none may."""
    reached = set(mutant.reached_on)
    on_import = bool(reached & trace[""])
    return tuple(test for test, lines in trace.items() if test and (on_import or reached & lines))


def _judge(
    runner: _Runner, mutant: Mutant, tests: tuple[str, ...], timeout: float, progress
) -> bool:
    passed = True if not tests else runner.run(mutant, tests, timeout)[0]
    if passed and tests and tests != runner.tests:
        # A cached result or a shared fixture can carry the mutated code into a test that did
        # not execute its lines itself: a survivor of some tests is confirmed under all of them.
        passed = runner.run(mutant, runner.tests, timeout)[0]
    if progress:
        progress("." if not passed else "S")
    return not passed


class _Runner:
    """Runs a target's tests with one mutant (or none) loaded in place of the module."""

    def __init__(
        self, root: Path, scratch: Path, target: Target, source: str, fixtures: str | None
    ) -> None:
        self.root, self.target, self.source, self.fixtures = root, target, source, fixtures
        self.scratch = scratch / target.module
        self.scratch.mkdir(parents=True)
        self.origin = str(root / target.path)
        self.tests: tuple[str, ...] = target.tests

    def trace(self) -> tuple[bool, str, dict[str, set[int]]]:
        """Run the tests on the module as it is, recording the lines each test executes."""
        output_file = self.scratch / "lines.json"
        passed, output = self.run(None, self.target.tests, None, {"BND_MUTANT_TRACE": output_file})
        if not passed:
            return passed, output, {"": set()}
        trace = json.loads(output_file.read_text(encoding="utf-8"))
        seconds = trace["seconds"]
        tests = sorted(trace["lines"], key=lambda test: (seconds.get(test, 0.0), test))
        self.tests = tuple(test for test in tests if test)  # every test, quickest first
        return passed, output, {test: set(trace["lines"][test]) for test in tests}

    def run(
        self,
        mutant: Mutant | None,
        tests: Sequence[str],
        timeout: float | None,
        extra_env: dict[str, object] | None = None,
    ) -> tuple[bool, str]:
        """Whether ``tests`` passed with ``mutant`` in place of the module, and their output."""
        name = "clean" if mutant is None else f"{mutant.node}-{mutant.variant}"
        code_file = self.scratch / f"{name}.code"
        code_file.write_bytes(marshal.dumps(compile_mutant(self.source, self.origin, mutant)))
        env = {
            **os.environ,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # seconds per run; these tests need none
            "PYTHONPATH": os.pathsep.join(dict.fromkeys([str(self.root), str(PROJECT)])),
            "BND_MUTANT_MODULE": self.target.module,
            "BND_MUTANT_CODE": str(code_file),
            "BND_MUTANT_ORIGIN": self.origin,
            "BND_MUTANT_FIXTURES": self.fixtures or "",
            **{key: str(value) for key, value in (extra_env or {}).items()},
        }
        command = [
            sys.executable,
            "-m",
            "pytest",
            *tests,
            *PYTEST_OPTIONS,
            "-p",
            "tests.mutation.plugin",
            "--rootdir",
            str(self.root),
            "--basetemp",
            str(self.scratch / f"{name}.tmp"),
        ]
        try:
            done = subprocess.run(
                command,
                cwd=self.root,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False, "timed out"
        finally:
            code_file.unlink()
        return done.returncode == 0, done.stdout + done.stderr


def _set_aside_equivalents(result: Result, listed: Sequence[Equivalent]) -> None:
    """Move each listed equivalent from the survivors (or the killed: then it is no equivalent,
    and stays counted) out of the count; the nearest line wins when the text repeats."""
    for entry in listed:
        candidates = [m for m in result.survived if m.text == entry.text]
        if not candidates:
            result.stale.append(entry)
            continue
        chosen = min(candidates, key=lambda m: abs(m.line - entry.line))
        result.survived.remove(chosen)
        result.equivalent.append((chosen, entry))


def read_equivalents(path: Path = EQUIVALENT) -> list[Equivalent]:
    """``<file>:<line>: <original> → <mutant>  # <why>``; blank lines and ``#`` lines skipped."""
    entries = []
    if not path.is_file():
        return entries
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        place, _, rest = line.partition(": ")
        text, _, why = rest.rpartition("  # ")
        file, _, line_number = place.rpartition(":")
        if not (file and line_number.isdigit() and text and why):
            raise ValueError(f"{path}, line {number}: expected '<file>:<line>: <mutant>  # <why>'")
        entries.append(Equivalent(file, int(line_number), text, why.strip()))
    return entries


def report(results: Sequence[Result]) -> str:
    lines = []
    for result in results:
        target = result.target
        lines += [
            f"{target.path}  (tests: {', '.join(target.tests)})",
            f"  mutants {result.counted}, killed {len(result.killed)}, survived "
            f"{len(result.survived)}, score {result.score:.1f} %"
            f"  (equivalent, not counted: {len(result.equivalent)})",
        ]
        for mutant in sorted(result.survived, key=lambda m: (m.line, m.text)):
            unreached = "  (no test executes it)" if mutant in result.unreached else ""
            lines.append(f"  survived   {target.path}:{mutant.line}: {mutant.text}{unreached}")
        for mutant, entry in sorted(result.equivalent, key=lambda pair: pair[0].line):
            lines.append(f"  equivalent {target.path}:{mutant.line}: {mutant.text}  # {entry.why}")
        for entry in result.stale:
            lines.append(
                f"  listed in {EQUIVALENT.name} but no surviving mutant matches: "
                f"{entry.path}:{entry.line}: {entry.text}"
            )
    return "\n".join(lines)


def _target(name: str) -> Target:
    for short, (path, tests) in MODULES.items():
        if name in (short, path, path.removesuffix(".py").replace("/", ".")):
            return Target(path, tests)
    known = ", ".join(MODULES)
    raise SystemExit(
        f"unknown module {name!r}: expected one of {known} (see MODULES in {__file__})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation.run", description=__doc__)
    parser.add_argument("modules", nargs="*", help=f"default: all of {', '.join(MODULES)}")
    parser.add_argument("--jobs", type=int, default=2, help="test processes at once (2)")
    parser.add_argument("--timeout", type=float, help="seconds per mutant (4× the clean run)")
    parser.add_argument("--fail-under", type=float, default=0.0, help="exit 1 below this score")
    options = parser.parse_args(argv)
    targets = [_target(name) for name in options.modules or MODULES]
    started = time.monotonic()

    def progress(mark: str) -> None:
        print(mark, end="", file=sys.stderr, flush=True)

    try:
        results = mutation_test(
            targets,
            jobs=options.jobs,
            timeout=options.timeout,
            equivalents=read_equivalents(),
            progress=progress,
        )
    except BaselineError as error:
        print(f"\n{error}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    print(report(results))
    print(f"({time.monotonic() - started:.0f} s)")
    return 1 if any(result.score < options.fail_under for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
