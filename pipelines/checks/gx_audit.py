"""Run the Great Expectations suites of ``expectations/`` against a build's audit tables.

Why this shape: GX 1.24's SQL datasource returns wrong results on DuckDB (GX issues #10738 and
#11579: it reads results after handing the pooled connection back). So the reconciliation is
computed inside DuckDB by dbt (``audit.*`` tables, a handful of rows however large the facts grow)
and GX validates those small results through its pandas datasource. The fact tables never enter
pandas.

Each run works on its own copy of the GX project, so validation results and Data Docs belong to the
build and nothing is written into the committed project.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported with GX, off the run's path (``preload_great_expectations``)
    import pandas as pd

from pipelines.core.settings import EXPECTATIONS_DIR

DATA_DOCS_SITE = Path("gx/uncommitted/data_docs/local_site")


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


def preload_great_expectations() -> None:
    """Start importing Great Expectations in a background thread (idempotent).

    Its import costs seconds of CPU and nothing else needs it before the audit step, which waits
    for the dbt build. The run starts this before the job, so the import overlaps dbt's own
    process (which does the build's work) instead of adding to the run's time; ``run_suites``
    then finds the module imported (or waits for the import to finish, as any import would).
    """
    global _preload
    if _preload is None:
        _preload = threading.Thread(
            target=_import_gx, name="import-great-expectations", daemon=True
        )
        _preload.start()


def _import_gx() -> None:
    # An error here is the audit's to report: it imports GX again and fails with it there.
    with contextlib.suppress(Exception):
        import great_expectations  # noqa: F401
        import pandas  # noqa: F401


def run_suites(
    frames: dict[str, pd.DataFrame], work_dir: Path, docs_dir: Path | None = None
) -> list[SuiteOutcome]:
    """Validate each frame with the checkpoint of the same name; optionally build Data Docs.

    ``work_dir`` is the build's GX project: a second call in the same build adds its validations
    to the first one's, so the Data Docs show every suite of the build.
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

    if docs_dir is not None:
        context.build_data_docs()
        shutil.rmtree(docs_dir, ignore_errors=True)
        shutil.copytree(work_dir / DATA_DOCS_SITE, docs_dir)
        make_offline(docs_dir)
    return outcomes


# Tags that make a browser fetch from another host: stylesheets, scripts, images.
_REMOTE_RESOURCE = re.compile(
    r"<link\b[^>]*\bhref=[\"']https?://[^>]*>"
    r"|<script\b[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>"
    r"|<img\b[^>]*\bsrc=[\"']https?://[^>]*>",
    re.IGNORECASE,
)
_OFFLINE_STYLE = """<style>
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#1d232a}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d5d9de;padding:3px 6px}
.d-none,.modal,.fa,.fas,.far{display:none}a{color:#1f5f99}
</style>"""


def make_offline(docs_dir: Path) -> None:
    """Make GX's Data Docs readable without internet: they load Bootstrap, jQuery, Vega and logos
    from CDNs. Drop those tags (nothing is fetched from elsewhere) and inline a plain style."""
    for page in docs_dir.rglob("*.html"):
        html = _REMOTE_RESOURCE.sub("", page.read_text(encoding="utf-8"))
        html = html.replace("</head>", f"{_OFFLINE_STYLE}</head>", 1)
        page.write_text(html, encoding="utf-8")


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
    """The whole audit row behind each unexpected value (expected, actual and difference too)."""
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
            rows.append({key: _plain(value) for key, value in record.items()})
    return rows


def _plain(value: Any) -> Any:
    """numpy and pandas scalars to plain Python values (for JSON and printing)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value
