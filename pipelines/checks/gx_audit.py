"""Run the Great Expectations suites of ``expectations/`` against a build's audit tables.

Why this shape: GX 1.24's SQL datasource returns wrong results on DuckDB (GX issues #10738 and
#11579: it reads results after handing the pooled connection back). So the reconciliation is
computed inside DuckDB by dbt (``audit.*`` tables, a handful of rows however large the facts grow)
and GX validates those small results through its pandas datasource. The fact tables never enter
pandas.

Each run works on its own copy of the GX project, so validation results and Data Docs belong to the
build and nothing is written into the committed project. The Data Docs are not GX's site (it needs
scripts and fonts from CDNs) but pages of our own made from the validation results.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported with GX, off the run's path (``preload_great_expectations``)
    import pandas as pd

from pipelines.checks.check_report import with_verdict
from pipelines.core.settings import EXPECTATIONS_DIR

# In the build's copy of the project: each suite's last validation result (GX's own JSON of it),
# for the Data Docs (``reports.gx_docs``), and the suites as committed.
VALIDATION_RESULTS = Path("validation_results.json")
SUITES = Path("gx/expectations")


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict, in the words of its description, with the rows that broke it."""

    suite: str
    expectation: str
    description: str
    column: str | None
    success: bool
    observed: Any
    offending_rows: list[dict[str, Any]] = field(default_factory=list)
    # What the expectation asks for: its arguments (column, values, bounds …), without the
    # result-format settings.
    expected: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    expectations: list[ExpectationOutcome]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.expectations if not outcome.success]


_preload: threading.Thread | None = None


def preload_great_expectations(also: Callable[[], None] | None = None) -> None:
    """Start importing Great Expectations in a background thread (idempotent), then run ``also``
    there (the Data Docs compile their templates: ``reports.gx_docs.prepare``).

    Its import costs seconds of CPU and nothing else needs it before the audit step, which waits
    for the dbt build. The run starts this before the job, so the import overlaps dbt's own
    process (which does the build's work) instead of adding to the run's time; ``run_suites``
    then finds the module imported (or waits for the import to finish, as any import would).
    """
    global _preload
    if _preload is None:
        _preload = threading.Thread(
            target=_import_gx, args=(also,), name="import-great-expectations", daemon=True
        )
        _preload.start()


def _import_gx(also: Callable[[], None] | None) -> None:
    # An error here is the audit's to report: it imports GX again and fails with it there.
    with contextlib.suppress(Exception):
        import great_expectations  # noqa: F401
        import pandas  # noqa: F401

        if also is not None:
            also()


def run_suites(frames: dict[str, pd.DataFrame], work_dir: Path) -> list[SuiteOutcome]:
    """Validate each frame with the checkpoint of the same name.

    ``work_dir`` is the build's GX project: each validation result is kept there
    (``kept_results``), and a second call in the same build adds its results to the first one's,
    so the Data Docs show every suite of the build.
    """
    if _preload is not None:
        _preload.join()
    import great_expectations as gx  # slow import (~4 s): only when validating

    if not work_dir.exists():
        shutil.copytree(EXPECTATIONS_DIR, work_dir, ignore=shutil.ignore_patterns("uncommitted"))
    context = gx.get_context(mode="file", project_root_dir=work_dir)

    outcomes = []
    for name, frame in frames.items():
        checkpoint = context.checkpoints.get(name)
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        (suite_result,) = result.run_results.values()
        outcomes.append(_suite_outcome(name, suite_result, frame))
        _keep_result(work_dir, name, suite_result.to_json_dict())
    return outcomes


def kept_results(work_dir: Path) -> list[dict[str, Any]]:
    """The validation result of every suite validated in the build whose GX folder is
    ``work_dir``, by suite name."""
    path = work_dir / VALIDATION_RESULTS
    return list(json.loads(path.read_text(encoding="utf-8")).values()) if path.is_file() else []


def _keep_result(work_dir: Path, suite: str, result: dict[str, Any]) -> None:
    """One file of results keyed by suite (no name ever becomes a path), written whole."""
    path = work_dir / VALIDATION_RESULTS
    kept = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    kept[suite] = result
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(kept, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(partial, path)


def _suite_outcome(name: str, suite_result: Any, frame: pd.DataFrame) -> SuiteOutcome:
    expectations = []
    for result in suite_result.results:
        config = result.expectation_config
        details = result.result or {}
        expectations.append(
            ExpectationOutcome(
                suite=name,
                expectation=config.type,
                description=config.description or config.type,
                column=config.kwargs.get("column"),
                success=bool(result.success),
                observed=_plain(details.get("observed_value", details.get("unexpected_count"))),
                offending_rows=_offending_rows(details, frame),
                expected={
                    key: _plain(value)
                    for key, value in config.kwargs.items()
                    if key not in ("result_format", "batch_id", "catch_exceptions")
                },
            )
        )
    return SuiteOutcome(suite=name, success=bool(suite_result.success), expectations=expectations)


def _offending_rows(details: dict[str, Any], frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The whole audit row behind each unexpected value (expected, actual and difference too),
    with its ratio and status where the audit table has none (``check_report.with_verdict``)."""
    import pandas as pd

    index_columns = details.get("unexpected_index_column_names") or []
    rows = []
    for item in details.get("unexpected_index_list") or []:
        mask = pd.Series(True, index=frame.index)
        for column in index_columns:
            value = _plain(item[column])
            # NULL identifies a row too (e.g. no level on a total line): match it as such.
            mask &= frame[column].isna() if value is None else frame[column] == value
        for record in frame[mask].to_dict(orient="records"):
            rows.append(with_verdict({key: _whole(_plain(value)) for key, value in record.items()}))
    return rows


def _whole(value: Any) -> Any:
    """A whole number that pandas made a float (an integer column, a decimal) as an integer
    again: ``dq.json`` and the run's output then give 361795 and 2 lines, not 361795.0 and 2.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _plain(value: Any) -> Any:
    """numpy and pandas scalars to plain Python values (for JSON and printing)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value
