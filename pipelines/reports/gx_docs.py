"""Our own Great Expectations Data Docs: a small static site made from GX's validation results.

Why not GX's site builder: its pages build their tables with bootstrap-table and jQuery and draw
their status icons with font-awesome, all loaded from CDNs, and the GX package ships none of them.
On a network without internet its index showed two buttons and nothing else. These pages are plain
HTML with inline styles and inline SVG icons, no script and nothing fetched from anywhere, under
the same Content-Security-Policy as the data-quality report, so they read the same offline.

The site is made from plain dicts (``ExpectationSuiteValidationResult.to_json_dict()`` and the suite
JSON files of the GX project), so this module never imports GX, whose import costs seconds. Every
text on the pages (suite names, descriptions, values) is input and escaped by Jinja2's autoescape;
page file names are derived from names by ``page_name``, which no name can steer out of the site.

The audit step validates (``checks.gx_audit.run_suites``, which keeps each result in the build's
GX folder), then writes the site from every result kept so far (``write_gx_docs``): the audit runs
in two steps of one build, and the site shows every suite of the build.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.checks.check_report import (
    PAIRED_AMOUNTS,
    format_amount,
    format_ratio,
    row_decimals,
    with_verdict,
)
from pipelines.checks.gx_audit import SUITES as GX_SUITES
from pipelines.checks.gx_audit import kept_results
from pipelines.reports.html_pages import page_environment

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATE_NAMES = (
    "gx_base.html.j2",
    "gx_macros.html.j2",
    "gx_index.html.j2",
    "gx_validation.html.j2",
    "gx_suite.html.j2",
)
INDEX = "index.html"
VALIDATIONS = "validations"
SUITES = "suites"
# The data-quality report beside the site (``reports/index.html``, ``reports/gx/``).
REPORT_LINK = "../index.html"
# Unexpected rows (or values) shown per expectation; the count says how many there were.
MAX_UNEXPECTED = 20
# Items of a list shown as an observed value before "… N more".
MAX_LIST_ITEMS = 30
# Columns of an offending row that name places and the files added up: long texts that may break
# anywhere, so that a row naming both sides fits the page (a file's own name stays whole).
PLACE_COLUMNS = ("source_locator", "line_files", "other_source", "other_locator")
# Kwargs that say how GX reports, not what is checked.
NOT_ARGUMENTS = {"result_format", "batch_id", "catch_exceptions", "include_config"}

# Columns whose numbers are names, not amounts (``fiscal_year``, ``source_line_number`` …).
_IDENTIFIER = re.compile(r"(year|_number|_id|_code|_line)$")
_PLAIN_NAME = re.compile(r"[a-z0-9_]{1,64}")
_NOT_PLAIN = re.compile(r"[^a-z0-9_]+")


def page_name(name: str) -> str:
    """The file name stem for a page about ``name`` (a suite's), safe whatever the name holds.

    A plain name (lower-case letters, digits, ``_``) is used as it is, so the usual pages are
    ``validations/budget_coverage.html``. Any other name becomes its plain letters plus a hash of
    the whole name after a hyphen, which no plain name contains: no ``/``, ``..`` or NUL ever
    reaches the file system, and two names never share a page, even on a case-blind disk.
    """
    if _PLAIN_NAME.fullmatch(name):
        return name
    slug = _NOT_PLAIN.sub("_", name.lower()).strip("_")[:40] or "suite"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{slug}-{digest}"


def read_suites(suites_dir: Path) -> list[dict[str, Any]]:
    """The expectation suites of a GX project (its ``expectations/*.json``), as plain dicts."""
    return [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(suites_dir.glob("*.json"))
    ]


# -- the site -----------------------------------------------------------------------------------


def write_gx_docs(work_dir: Path, docs_dir: Path) -> Path:
    """The site of the build whose GX folder is ``work_dir``, into ``docs_dir``; its index."""
    return write_site(docs_dir, kept_results(work_dir), read_suites(work_dir / GX_SUITES))


def write_site(docs_dir: Path, results: list[dict[str, Any]], suites: list[dict[str, Any]]) -> Path:
    """Replace ``docs_dir`` with the site of these results and suites; returns its index page."""
    pages = render_site(results, suites)
    shutil.rmtree(docs_dir, ignore_errors=True)
    for folder in (docs_dir, docs_dir / VALIDATIONS, docs_dir / SUITES):
        folder.mkdir(parents=True, exist_ok=True)
    for relative, html in pages.items():
        (docs_dir / relative).write_text(html, encoding="utf-8")
    return docs_dir / INDEX


def render_site(results: list[dict[str, Any]], suites: list[dict[str, Any]]) -> dict[str, str]:
    """Every page of the site, by its path relative to the site's folder."""
    validations = sorted((_validation(result) for result in results), key=lambda v: v["suite"])
    by_suite = {validation["suite"]: validation for validation in validations}
    definitions = {str(suite.get("name", "")): suite for suite in suites}
    # A suite validated but absent from the project still gets its page, from the result.
    for validation in validations:
        definitions.setdefault(
            validation["suite"],
            {"name": validation["suite"], "expectations": validation["configs"]},
        )
    suite_views = [
        _suite(definition, by_suite.get(name)) for name, definition in sorted(definitions.items())
    ]

    environment = _environment()
    pages = {
        INDEX: environment.get_template("gx_index.html.j2").render(
            root="", validations=validations, suites=suite_views, summary=_summary(validations)
        )
    }
    validation_page = environment.get_template("gx_validation.html.j2")
    for validation in validations:
        pages[validation["href"]] = validation_page.render(root="../", validation=validation)
    suite_page = environment.get_template("gx_suite.html.j2")
    for suite in suite_views:
        pages[suite["href"]] = suite_page.render(root="../", suite=suite)
    return pages


def prepare() -> None:
    """Compile the templates ahead of need: ~0.1 s, which the audit's preload thread spends while
    dbt builds (``gx_audit.preload_great_expectations``), leaving the audit a few ms to render."""
    environment = _environment()
    for template in TEMPLATE_NAMES:
        environment.get_template(template)


@cache
def _environment() -> Environment:
    """One Jinja2 environment per process: the audit renders the site twice in a build, and the
    templates are compiled once."""
    environment = page_environment()
    environment.filters["value"] = display_value
    environment.filters["cell"] = display_cell
    environment.globals["row_decimals"] = row_decimals
    environment.globals["place_columns"] = PLACE_COLUMNS
    environment.globals["report_link"] = REPORT_LINK
    return environment


def _validation(result: dict[str, Any]) -> dict[str, Any]:
    """What the index and a validation page show of one suite's validation result."""
    suite = str(result.get("suite_name", ""))
    meta = result.get("meta") or {}
    statistics = result.get("statistics") or {}
    expectations = [_expectation(item) for item in result.get("results") or []]
    run_id = meta.get("run_id") or {}
    batch = meta.get("active_batch_definition") or {}
    return {
        "suite": suite,
        "status": "pass" if result.get("success") else "fail",
        "href": f"{VALIDATIONS}/{page_name(suite)}.html",
        "suite_href": f"{SUITES}/{page_name(suite)}.html",
        "run_time": _time(run_id.get("run_time") or meta.get("validation_time")),
        "data_asset": batch.get("data_asset_name"),
        "datasource": batch.get("datasource_name"),
        "gx_version": meta.get("great_expectations_version"),
        "evaluated": statistics.get("evaluated_expectations", len(expectations)),
        "successful": statistics.get(
            "successful_expectations", sum(e["status"] == "pass" for e in expectations)
        ),
        "unsuccessful": statistics.get(
            "unsuccessful_expectations", sum(e["status"] != "pass" for e in expectations)
        ),
        "expectations": expectations,
        "configs": [item.get("expectation_config") or {} for item in result.get("results") or []],
    }


def _expectation(item: dict[str, Any]) -> dict[str, Any]:
    """One expectation's result: what it checks, what was seen, and the rows that broke it."""
    config = item.get("expectation_config") or {}
    details = item.get("result") or {}
    exception = item.get("exception_info") or {}
    raised = bool(exception.get("raised_exception"))
    # Rows are dicts of the identifying columns (``unexpected_index_column_names``: the
    # checkpoints name both sides' files and both figures) and the value; a reconciliation's row
    # gets the ratio and status it implies when the audit table gives none, as in the report.
    unexpected_rows = [
        with_verdict(row)
        for row in details.get("unexpected_index_list") or []
        if isinstance(row, dict)
    ]
    # A set the column must contain reports the values it lacks instead.
    missing = "partial_missing_list" in details
    unexpected_values = (
        []
        if unexpected_rows
        else details.get("partial_missing_list")
        or details.get("unexpected_list")
        or details.get("partial_unexpected_list")
        or []
    )
    rows = unexpected_rows[:MAX_UNEXPECTED]
    values = unexpected_values[:MAX_UNEXPECTED]
    count = details.get("missing_count" if missing else "unexpected_count")
    total = count if isinstance(count, int) else len(unexpected_rows) + len(unexpected_values)
    return {
        "status": "error" if raised else ("pass" if item.get("success") else "fail"),
        **_described(config),
        "observed": details.get("observed_value"),
        "unexpected_kind": "missing" if missing else "unexpected",
        "unexpected_count": count,
        "element_count": details.get("element_count"),
        "unexpected_rows": rows,
        "row_columns": list(dict.fromkeys(key for row in rows for key in row)),
        "unexpected_values": values,
        "not_shown": max(total - len(rows) - len(values), 0),
        "exception": exception.get("exception_message") if raised else None,
    }


def _described(config: dict[str, Any]) -> dict[str, Any]:
    """What an expectation checks, as its suite states it: description, type and arguments."""
    kwargs = config.get("kwargs") or {}
    kind = str(config.get("type") or config.get("expectation_type") or "")
    return {
        "type": kind,
        "description": config.get("description") or kind,
        "arguments": [
            (str(key), _argument(str(key), value))
            for key, value in kwargs.items()
            if key not in NOT_ARGUMENTS
        ],
        "severity": config.get("severity"),
    }


def _argument(key: str, value: Any) -> str:
    """An argument as text; a row condition of GX 1.x as ``column == value``."""
    if key == "row_condition" and isinstance(value, dict) and value.get("type") == "comparison":
        column = (value.get("column") or {}).get("name")
        parameter = json.dumps(value.get("parameter"), ensure_ascii=False)
        return f"{column} {value.get('operator')} {parameter}"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _suite(definition: dict[str, Any], validation: dict[str, Any] | None) -> dict[str, Any]:
    name = str(definition.get("name", ""))
    return {
        "name": name,
        "href": f"{SUITES}/{page_name(name)}.html",
        "notes": definition.get("notes"),
        "expectations": [_described(config) for config in definition.get("expectations") or []],
        "status": validation["status"] if validation else "not_run",
        "validation_href": validation["href"] if validation else None,
    }


def _summary(validations: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "suites": len(validations),
        "failed_suites": [v for v in validations if v["status"] != "pass"],
        "evaluated": sum(v["evaluated"] or 0 for v in validations),
        "unsuccessful": sum(v["unsuccessful"] or 0 for v in validations),
    }


def _time(value: Any) -> str | None:
    """GX's ISO run time as ``YYYY-MM-DD HH:MM:SS UTC`` (as it came, if it is not ISO)."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.utcoffset() is None:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def display_cell(value: Any, column: str, decimals: int | None = None) -> str:
    """A value in a row of the audit table: years, codes and numbers-as-names without separators;
    the amounts a row reads against each other with the row's ``decimals`` (as the run's output
    and the report print them); ratios as ratios."""
    if isinstance(value, int) and not isinstance(value, bool) and _IDENTIFIER.search(column):
        return str(value)
    if value is not None and column in PAIRED_AMOUNTS:
        return format_amount(value, decimals)
    if value is not None and column in ("ratio", "unit_factor"):
        return format_ratio(value)
    return display_value(value)


def display_value(value: Any) -> str:
    """A value for a table cell: numbers with thousands separators, lists cut after
    ``MAX_LIST_ITEMS`` items, anything else as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() or abs(value) >= 1000:
            return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
        return f"{value:.6g}"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        shown = ", ".join(display_value(item) for item in value[:MAX_LIST_ITEMS])
        more = len(value) - MAX_LIST_ITEMS
        return f"{shown} … {more:,} more" if more > 0 else shown
    if isinstance(value, dict):
        return "; ".join(f"{key}: {display_value(item)}" for key, item in value.items())
    return json.dumps(value, ensure_ascii=False, default=str)
