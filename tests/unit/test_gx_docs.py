"""Our offline GX Data Docs, rendered from real GX validations of small audit frames.

The frames go through ``gx_audit.run_suites`` as a build's do: the committed suites, GX's own
validation, two calls into the same GX work folder (the budget-line suites, then the others).
"""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from pipelines.checks.gx_audit import SUITES, kept_results, run_suites
from pipelines.core.settings import EXPECTATIONS_DIR
from pipelines.reports import gx_docs

pytestmark = pytest.mark.xdist_group("gx_docs")  # one GX run for the module, on one worker

HOSTILE = "<script>alert(1)</script>"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _reconciliation(account_code: str, difference: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": ["a.txt", "../../a.txt"],
            "phase": ["enacted", "enacted"],
            "fiscal_year": [2017, 2018],
            "account_code": ["bnd_special_account", account_code],
            "total_kind": ["total", "total"],
            "source_locator": ["a.txt:1 [2017]", "a.txt:1 [2018]"],
            "expected_krw_million": [100, 200],
            "actual_krw_million": [100, 200 + difference],
            "n_leaf_facts": [5, 5],
            "difference_krw_million": [0, difference],
            "tolerance_krw_million": [0, 0],
            "difference_beyond_tolerance_krw_million": [0, abs(difference)],
        }
    )


def _coverage(rows: int) -> pd.DataFrame:
    """``rows`` budget lines, each published twice: more offending rows than a page shows."""
    return pd.DataFrame(
        {
            "source_file": ["b.txt"] * rows,
            "phase": ["enacted"] * rows,
            "fiscal_year": [2019] * rows,
            "line_code": [f"line_{number:03d}" for number in range(rows)],
            "account_code": ["bnd_special_account"] * rows,
            "level_code": ["province"] * rows,
            "n_values": [2] * rows,
            "n_null_amounts": [0] * rows,
            "min_amount_krw_million": [10] * rows,
        }
    )


def _line_subtotals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": ["c.txt"],
            "fiscal_year": [2020],
            "organisation_code": ["moef"],
            "account_code": ["bnd_special_account"],
            "level_code": ["province"],
            "phase": ["enacted"],
            "status": ["MATCH"],
            "difference_krw_million": [0],
        }
    )


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build's GX folders after its two audit steps; the site is ``reports/gx``."""
    root = tmp_path_factory.mktemp("gx_build")
    work_dir, docs_dir = root / "gx", root / "reports" / "gx"
    # As the two audit steps of a build do: validate, then write the site from all kept so far.
    run_suites({"budget_line_subtotals": _line_subtotals()}, work_dir)
    gx_docs.write_gx_docs(work_dir, docs_dir)
    run_suites(
        {
            "budget_reconciliation": _reconciliation(HOSTILE, -7),
            "budget_coverage": _coverage(gx_docs.MAX_UNEXPECTED + 5),
        },
        work_dir,
    )
    gx_docs.write_gx_docs(work_dir, docs_dir)
    return root


class _Page(HTMLParser):
    """The links of a page, and the status of each row of its table ``table_id``."""

    def __init__(self, table_id: str = "") -> None:
        super().__init__()
        self.table_id, self.links, self.rows = table_id, [], []
        self._in_table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes["href"])
        if tag == "table":
            self._in_table = attributes.get("id") == self.table_id
        if tag == "tr" and self._in_table and attributes.get("class"):
            self.rows.append({"status": attributes["class"], "links": []})
        if tag == "a" and self._in_table and self.rows:
            self.rows[-1]["links"].append(attributes["href"])


def _parse(path: Path, table_id: str = "") -> _Page:
    page = _Page(table_id)
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_the_index_lists_every_suite_of_both_audit_steps_with_its_result(build: Path) -> None:
    docs = build / "reports" / "gx"
    index = _parse(docs / "index.html", "validations")
    results = {row["links"][0]: row["status"] for row in index.rows}
    assert results == {
        "validations/budget_line_subtotals.html": "pass",  # from the first call
        "validations/budget_reconciliation.html": "fail",
        "validations/budget_coverage.html": "fail",
    }
    html = (docs / "index.html").read_text(encoding="utf-8")
    assert "2 of 3 suite(s) failed" in html
    # Every suite of the project has its page, validated in this build or not.
    committed = {path.stem for path in (EXPECTATIONS_DIR / "gx" / "expectations").glob("*.json")}
    assert {Path(link).stem for link in _parse(docs / "index.html").links} >= committed
    assert {path.stem for path in (docs / "suites").glob("*.html")} == committed


def test_every_link_of_every_page_opens_a_page_of_the_site(build: Path) -> None:
    docs = build / "reports" / "gx"
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) == 1 + 3 + 5  # index, a page per validation, a page per suite
    for page in pages:
        links = _parse(page).links
        assert links, page
        for link in links:
            target = (page.parent / link).resolve()
            if target == (build / "reports" / "index.html").resolve():
                continue  # the data-quality report beside the site, written by the report step
            assert target.is_file(), f"{page}: {link}"
            assert target.is_relative_to(docs.resolve())


def test_a_validation_page_shows_the_failing_expectation_and_its_row(build: Path) -> None:
    page = build / "reports" / "gx" / "validations" / "budget_reconciliation.html"
    statuses = [row["status"] for row in _parse(page, "expectations").rows]
    assert statuses[:3] == ["expectation pass", "expectation pass", "expectation fail"]
    html = page.read_text(encoding="utf-8")
    suite = json.loads(
        (EXPECTATIONS_DIR / "gx" / "expectations" / "budget_reconciliation.json").read_text(
            encoding="utf-8"
        )
    )
    for expectation in suite["expectations"]:
        assert expectation["description"] in html
        assert expectation["type"] in html
    assert "1 of 2 rows" in html
    offending = html[html.index('<table class="rows">') :]
    # The row that broke it, named by its columns; a year is printed as a year.
    for cell in ("<td>../../a.txt</td>", ">2018</td>", ">7</td>", "&lt;script&gt;"):
        assert cell in offending
    assert "2,018" not in offending
    assert "result_format" not in html  # how GX reports is not what is checked


def test_offending_rows_are_cut_after_a_page_full(build: Path) -> None:
    html = (build / "reports" / "gx" / "validations" / "budget_coverage.html").read_text("utf-8")
    assert len(re.findall(r"<td>line_\d{3}</td>", html)) == gx_docs.MAX_UNEXPECTED
    assert f"{gx_docs.MAX_UNEXPECTED + 5} of {gx_docs.MAX_UNEXPECTED + 5} rows" in html
    assert "… and 5 more not shown." in html


def test_no_page_runs_script_or_fetches_anything(build: Path) -> None:
    for page in (build / "reports" / "gx").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert '<html lang="en">' in html and '<meta charset="utf-8">' in html
        assert f'content="{CSP}"' in html
        assert not re.search(r"https?://|<script|<link|src=|@import|url\(", html, re.I), page
        assert '"Noto Sans CJK KR", "NanumGothic"' in html


def test_each_validation_result_is_kept_in_the_build_s_gx_folder(build: Path) -> None:
    kept = kept_results(build / "gx")
    assert sorted(result["suite_name"] for result in kept) == [
        "budget_coverage",
        "budget_line_subtotals",
        "budget_reconciliation",
    ]


@pytest.mark.parametrize(
    "name",
    ["..", "../../etc/passwd", "a/b", "a\\b", "", " ", "\0", "Budget", "a" * 300, "예산", HOSTILE],
)
def test_a_page_name_is_a_plain_file_name_whatever_the_suite_name(name: str) -> None:
    stem = gx_docs.page_name(name)
    assert re.fullmatch(r"[a-z0-9_]{1,64}(-[0-9a-f]{12})?", stem)
    assert stem != name  # none of these is plain: each gets the hash


def test_names_that_clean_up_alike_get_pages_of_their_own() -> None:
    names = ["a_b", "a/b", "a-b", "A_B", "a b", "budget_coverage"]
    stems = [gx_docs.page_name(name) for name in names]
    assert len(set(stems)) == len(names)
    assert stems[0] == "a_b" and stems[-1] == "budget_coverage"


def test_hostile_suite_names_and_descriptions_are_escaped_and_stay_in_the_site(
    build: Path, tmp_path: Path
) -> None:
    (real,) = [
        result
        for result in kept_results(build / "gx")
        if result["suite_name"] == "budget_reconciliation"
    ]
    hostile = copy.deepcopy(real)
    hostile["suite_name"] = f"../../{HOSTILE}"
    hostile["meta"]["active_batch_definition"]["data_asset_name"] = HOSTILE
    for item in hostile["results"]:
        # With Hangul, so the text goes through the filter that marks it lang="ko" too.
        item["expectation_config"]["description"] = f'<img src=x onerror="alert(1)">{HOSTILE} 억원'
    suites = [
        *gx_docs.read_suites(build / "gx" / SUITES),
        {"name": "/etc/passwd\0", "notes": HOSTILE},
    ]
    docs = tmp_path / "site" / "gx"

    gx_docs.write_site(docs, [hostile], suites)

    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert all(path.is_relative_to(docs) for path in written), written
    for page in written:
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html and "<img" not in html, page
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "../../&lt;script&gt;alert(1)&lt;/script&gt;" in index
    (validation,) = (docs / "validations").glob("*.html")
    assert '<span lang="ko">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;' in validation.read_text(
        "utf-8"
    )
