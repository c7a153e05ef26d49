"""What counts as a check, defined once, and the count of a build's checks.

A check is one verdict an analyst can read in the report:

- each dbt data test (``dbt_results.json``, written by the transform step; dbt's unit tests
  test the code, in the test suite, and a build does not run them),
- each Great Expectations expectation (``gx_results.json``, written by the audit steps; a suite
  of five expectations is five checks, not one),
- each step that failed outright before its checks could run (a file rejected at ingest, dbt
  erroring): one failed check named after the step.

Dagster sees fewer: a GX suite is one asset check there, and some dbt tests share one. Its count
is therefore never printed. The run's summary line, the report, ``dq.json`` and
``marts.meta_build`` all count the list ``build_checks`` returns, with ``count_checks``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipelines.checks.check_report import describe_row

DBT_RESULTS = "dbt_results.json"
GX_RESULTS = "gx_results.json"


@dataclass(frozen=True)
class CheckCount:
    """How many checks a build has, by status. ``failed`` counts errors too."""

    checks: int
    passed: int
    warned: int
    failed: int
    not_run: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def sentence(self) -> str:
        """``140 checks: 140 passed, 0 warnings, 0 failed`` (and ``, 2 not run`` when some were)."""
        words = (
            f"{self.checks} checks: {self.passed} passed, {self.warned} warnings, "
            f"{self.failed} failed"
        )
        return words + (f", {self.not_run} not run" if self.not_run else "")


def count_checks(checks: list[dict[str, Any]]) -> CheckCount:
    statuses = Counter(check["status"] for check in checks)
    return CheckCount(
        checks=len(checks),
        passed=statuses["pass"],
        warned=statuses["warn"],
        failed=statuses["fail"] + statuses["error"],
        not_run=statuses["not_run"],
    )


def counts_by_source(checks: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """``{"dbt": {...}, "gx": {...}}``: the same count, split by where the checks come from."""
    sources = dict.fromkeys(check["source"] for check in checks)
    return {
        source: count_checks([check for check in checks if check["source"] == source]).as_dict()
        for source in sources
    }


def build_checks(
    reports_dir: Path, step_failures: list[tuple[str, str]] | None = None
) -> list[dict[str, Any]]:
    """Every check of the build whose results are in ``reports_dir``, in the report's order:
    failed steps, dbt tests, GX expectations."""
    checks = (
        step_checks(step_failures or [])
        + _read_json(reports_dir / DBT_RESULTS)
        + gx_checks(_read_json(reports_dir / GX_RESULTS))
    )
    return [with_rows_described(check) for check in checks]


def with_rows_described(check: dict[str, Any]) -> dict[str, Any]:
    """The check with each offending row in the words the run prints (``offending_rows_text``):
    ``dq.json`` then carries the same lines as the run's output, for alerting scripts."""
    rows = check.get("offending_rows") or []
    return {**check, "offending_rows_text": [describe_row(row) for row in rows]} if rows else check


def gx_checks(gx_results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "check_id": f"gx.{suite['suite']}.{number}.{expectation['expectation']}",
            "source": "gx",
            "kind": "gx_expectation",
            "suite": suite["suite"],
            "description": expectation["description"],
            "severity": "error",
            "status": "pass" if expectation["success"] else "fail",
            "observed": expectation.get("observed"),
            "expected": expectation.get("expected") or None,
            "message": None,
            "asset": f"audit.audit_{suite['suite']}",
            "offending_rows": expectation.get("offending_rows") or [],
        }
        for suite in gx_results
        for number, expectation in enumerate(suite["expectations"], start=1)
    ]


def step_checks(step_failures: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """A step that failed outright (ingest rejecting a file, dbt erroring) is a failed check too."""
    return [
        {
            "check_id": f"step.{step}",
            "source": "pipeline",
            "kind": "step",
            "description": f"step {step} ran to the end",
            "severity": "error",
            "status": "error",
            "observed": None,
            "expected": None,
            "message": message,
            "asset": step,
            "offending_rows": [],
        }
        for step, message in step_failures
    ]


def _read_json(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
