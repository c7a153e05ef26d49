"""The report shows what the build left, escapes all text from input files, fetches nothing."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import jsonschema

from pipelines.core.settings import EXPECTATIONS_DIR
from pipelines.reports.dq_report import BuildFacts, write_report
from pipelines.reports.svg_charts import Series, nice_ceiling, stacked_bars
from tests.source_figures import PAGE_FILE, ROWS, YEARS

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>'; drop table marts.fct_budget;--"


def test_a_failed_build_report_lists_failures_and_rejected_files_escaped(tmp_path: Path) -> None:
    gx = [
        {
            "suite": "budget_reconciliation",
            "success": False,
            "expectations": [
                {
                    "expectation": "expect_column_values_to_be_between",
                    "description": "Every published total equals the sum of its parts.",
                    "column": "difference_krw_million",
                    "success": False,
                    "observed": 1,
                    "expected": {"column": "difference_krw_million", "min_value": 0},
                    "offending_rows": [
                        {
                            "fiscal_year": 2018,
                            "account_code": HOSTILE,
                            "expected_krw_million": 9890905,
                            "actual_krw_million": 9889905,
                            "difference_krw_million": -1000,
                        }
                    ],
                }
            ],
        }
    ]
    (tmp_path / "gx_results.json").write_text(json.dumps(gx))
    rejected = [{"file": HOSTILE, "place": "row 3", "expected": "a number", "found": HOSTILE,
                 "message": f"{HOSTILE}, row 3: expected a number"}]  # fmt: skip
    (tmp_path / "rejected_files.json").write_text(json.dumps(rejected))

    html_path = write_report(
        tmp_path,
        tmp_path / "missing.duckdb",
        BuildFacts("failed", "run-1", step_failures=[("ingest", HOSTILE)]),
    )

    html = html_path.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html  # nothing from input runs or loads
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Not published." in html
    assert "9,890,905" in html and "9,889,905" in html and "-1,000" in html
    dq = json.loads((tmp_path / "dq.json").read_text(encoding="utf-8"))
    schema = json.loads((EXPECTATIONS_DIR / "dq.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(dq, schema)
    assert dq["status"] == "failed"
    assert dq["summary"] == {"checks": 2, "passed": 0, "warned": 0, "failed": 2, "not_run": 0}
    assert dq["rejected_files"][0]["file"] == HOSTILE  # kept verbatim in the data


def test_the_page_loads_nothing_from_elsewhere(tmp_path: Path) -> None:
    html = write_report(tmp_path, tmp_path / "none.duckdb", BuildFacts("failed")).read_text()
    resources = re.findall(r"<(?:link|script|img|iframe|object|embed)\b[^>]*>", html, re.I)
    assert resources == []
    assert "default-src 'none'" in html  # and the browser is told so
    # A published page embeds one file: its note on the latest refresh, beside it, sandboxed.
    published = tmp_path / "published"
    for page in ("index.html", "index.ko.html"):
        html = write_report(published, tmp_path / "none.duckdb", BuildFacts("published"))
        html = (published / page).read_text(encoding="utf-8")
        (frame,) = re.findall(r"<(?:link|script|img|iframe|object|embed)\b[^>]*>", html, re.I)
        assert re.search(r'src="latest_refresh(\.ko)?\.html"', frame) and "sandbox=" in frame
        assert (published / re.search(r'src="([^"]+)"', frame)[1]).is_file()


def test_chart_labels_are_escaped_and_bars_scale_to_a_round_axis() -> None:
    svg = stacked_bars(
        chart_id="c",
        title="t & <b>",
        years=[2015, 2016],
        series=[Series(HOSTILE, {2015: 6_000_000, 2016: 3_000_000})],
        value_label="KRW million",
    )
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert nice_ceiling(10_748_531) == 12_000_000
    assert nice_ceiling(100) == 100


def test_a_line_reconciliation_failure_names_both_files_and_prints_both_figures_alike(
    tmp_path: Path,
) -> None:
    # Lines 1 % over the page's 2020 Local Support figure, as GX hands the audit row over.
    line, amounts = ROWS["Local Support Account"]
    expected = amounts[YEARS.index(2020)]
    actual = float(Decimal(expected) * Decimal("1.01"))
    row = {
        "fiscal_year": 2020,
        "phase": "enacted",
        "account_code": "local_support",
        "level_code": "account_whole",
        "source_file": PAGE_FILE,
        "source_locator": f"{PAGE_FILE}:{line} [2020]",
        "line_source": "open_fiscal_data_detail_budget",
        "line_files": "budget_lines/2020/detail.json",
        "grain": "account × level",
        "expected_krw_million": expected,
        "tolerance_krw_million": 0.5,
        "actual_krw_million": actual,
        "line_count": 2,
        "difference_krw_million": actual - expected,
        "ratio": 1.01,
        "status": "MISMATCH",
    }
    gx = [
        {
            "suite": "budget_line_reconciliation",
            "success": False,
            "expectations": [
                {
                    "expectation": "expect_column_values_to_be_in_set",
                    "description": "Each leaf amount equals the sum of its lines.",
                    "column": "status",
                    "success": False,
                    "observed": 1,
                    "expected": {"column": "status", "value_set": ["EXACT"]},
                    "offending_rows": [row],
                }
            ],
        }
    ]
    (tmp_path / "gx_results.json").write_text(json.dumps(gx))

    html = write_report(tmp_path, tmp_path / "none.duckdb", BuildFacts("failed")).read_text()

    failure = html[html.index('id="failures"') : html.index('id="reconciliation"')]
    (shown,) = [tr for tr in re.findall(r"<tr>.*?</tr>", failure, re.S) if "<td" in tr]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", shown, re.S)
    for text in (
        f"{expected:,.2f}",
        f"{actual:,.2f}",
        f"{actual - expected:,.2f}",
        "1.01",
        "MISMATCH",
        f"{PAGE_FILE}:{line} [2020]",
        "budget_lines/2020/detail.json",
    ):
        assert text in cells, text
    dq = json.loads((tmp_path / "dq.json").read_text(encoding="utf-8"))
    schema = json.loads((EXPECTATIONS_DIR / "dq.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(dq, schema)
    (check,) = dq["checks"]
    (described,) = check["offending_rows_text"]
    assert described.startswith("MISMATCH 2020 local_support")
    assert f"expected {expected:,.2f} ({PAGE_FILE}:{line} [2020])" in described
    assert "budget_lines/2020/detail.json" in described and "ratio 1.01" in described


def _tiny_build(path: Path) -> Path:
    """A build database with names and an audit table, as far as a report needs one."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema audit")
        con.execute(
            "create table marts.dim_account as select * from (values "
            "('bnd_special_account', null, 'Special Accounts for Balanced National Development', "
            "'국가균형발전특별회계', 1), ('local_support', 'bnd_special_account', "
            "'Local Support Account', '지역지원계정', 2)) "
            "as t(account_code, parent_account_code, name_en, name_ko, account_order)"
        )
        con.execute(
            "create table marts.dim_level as select * from (values ('account_whole', "
            "'Account as a whole', '계정 전체', 3)) as t(level_code, name_en, name_ko, level_order)"
        )
        con.execute(
            "create table audit.audit_source_comparison as select * from (values "
            "('control_total', 2015, 'bnd_special_account', 'enacted', 10338940, 10400000, "
            "'MISMATCH', 'KRIHS', 'h.csv', 'h.csv:13', null, false), "
            "('control_total', 2009, 'bnd_special_account', null, null, 9600000, "
            "'NOT_COMPARED', 'a memo', 'h.csv', 'h.csv:8', "
            "'no budget table holds fiscal year 2009', false)) "
            "as t(comparison_kind, fiscal_year, account_code, phase, amount_krw_million, "
            "other_amount_krw_million, status, other_stated_by, other_source, other_locator, "
            "reason, is_blocking)"
        )
    return path


def _failing_gx(tmp_path: Path) -> None:
    row = {
        "fiscal_year": 2020, "phase": "enacted", "account_code": "local_support",
        "level_code": "account_whole", "source_file": PAGE_FILE,
        "source_locator": f"{PAGE_FILE}:55 [2020]", "expected_krw_million": 6_613_132,
        "actual_krw_million": 6_613_133, "line_files": "budget_lines/2020/a.csv",
    }  # fmt: skip
    gx = [{"suite": "budget_line_reconciliation", "success": False, "expectations": [
        {"expectation": "expect_column_values_to_be_in_set", "success": False,
         "description": "Each leaf amount equals the sum of its lines.", "observed": 1,
         "offending_rows": [row]}]}]  # fmt: skip
    (tmp_path / "gx_results.json").write_text(json.dumps(gx))


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_both_pages_are_written_linked_to_each_other_with_korean_names(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    _failing_gx(reports)
    db = _tiny_build(tmp_path / "bnd.duckdb")

    write_report(reports, db, BuildFacts("failed", "run-1"))

    english = (reports / "index.html").read_text(encoding="utf-8")
    korean = (reports / "index.ko.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english and '<html lang="ko">' in korean
    assert 'href="index.ko.html"' in english and 'href="index.html"' in korean
    assert "검증 실패" in korean and "Not published." in english
    failures = korean[korean.index('id="failures"') : korean.index('id="audit"')]
    assert "지역지원계정" in failures  # the account by its name, not its code
    # The cell that differs, by its line, with both figures and the difference.
    finding = failures[failures.index('class="finding"') : failures.index("check-line")]
    for text in (f"{PAGE_FILE} 55행", "6,613,132", "6,613,133", "-1"):
        assert text in finding, text
    dq = json.loads((reports / "dq.json").read_text(encoding="utf-8"))
    jsonschema.validate(dq, json.loads((EXPECTATIONS_DIR / "dq.schema.json").read_text()))
    (row,) = dq["checks"][0]["offending_rows"]
    assert (row["account_name_en"], row["account_name_ko"]) == (
        "Local Support Account",
        "지역지원계정",
    )
    assert (row["level_name_en"], row["level_name_ko"]) == ("Account as a whole", "계정 전체")
    assert dq["names"]["status"]["MISMATCH"] == {"en": "MISMATCH", "ko": "불일치"}
    (finding,) = dq["checks"][0]["findings"]
    assert finding["cell"]["line"] == 55 and finding["cell"]["account_name_ko"] == "지역지원계정"


def test_not_compared_rows_fold_into_a_count_that_opens(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write_report(reports, _tiny_build(tmp_path / "bnd.duckdb"), BuildFacts("failed"))
    for page in ("index.html", "index.ko.html"):
        html = (reports / page).read_text(encoding="utf-8")
        table = html[html.index('id="comparisons-table"') : html.index('id="not-compared"')]
        folded = html[html.index('<details id="not-compared">') :]
        folded = folded[: folded.index("</details>")]
        assert "KRIHS" in table and "a memo" not in table
        assert "a memo" in folded and "no budget table holds fiscal year 2009" in folded
        assert "<summary>1 " in folded or "<summary>비교하지 않은 외부 발표 수치 1건" in folded


def test_every_link_of_a_failed_report_leads_to_a_file(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    published, failed = warehouse / "reports", warehouse / ".build" / "reports"
    (published / "dbt_docs").mkdir(parents=True)
    (published / "dbt_docs" / "index.html").write_text("docs")
    (published / "index.html").write_text("published")
    (failed / "gx").mkdir(parents=True)
    (failed / "gx" / "index.html").write_text("gx")
    _failing_gx(failed)

    write_report(failed, _tiny_build(tmp_path / "bnd.duckdb"), BuildFacts("failed", "run-2"))

    for page in ("index.html", "index.ko.html"):
        html = (failed / page).read_text(encoding="utf-8")
        links = [href for href in _hrefs(html) if not href.startswith(("http:", "https:"))]
        assert "../../reports/dbt_docs/index.html" in links
        assert "../../reports/index.html" in links
        for href in links:
            if href.startswith("#"):
                assert f'id="{href[1:]}"' in html, href
            else:
                assert (failed / href).is_file(), href

    # Without the published build's docs (or its report), no link to them: the page says so.
    shutil.rmtree(published)
    write_report(failed, tmp_path / "bnd.duckdb", BuildFacts("failed", "run-2"))
    html = (failed / "index.html").read_text(encoding="utf-8")
    assert "dbt docs: none" in html and "Nothing is published yet" in html
    for href in _hrefs(html):
        assert href.startswith(("http:", "https:", "#")) or (failed / href).is_file(), href


def test_a_refused_run_rewrites_only_the_note_of_the_published_report(tmp_path: Path) -> None:
    from pipelines.core.settings import Settings
    from pipelines.reports.dq_report import record_refusal

    settings = Settings.at(tmp_path / "data_raw", tmp_path / "warehouse")
    published = settings.reports_dir
    write_report(published, _tiny_build(tmp_path / "bnd.duckdb"),
                 BuildFacts("published", "run-good", {"build_id": "build-1"}))  # fmt: skip
    html = (published / "index.html").read_text(encoding="utf-8")
    assert '<iframe class="latest-refresh" id="latest-refresh" src="latest_refresh.html"' in html
    assert "No refresh has been refused since" in (published / "latest_refresh.html").read_text()
    before = {path.name: path.read_bytes() for path in published.iterdir()}
    settings.build_reports_dir.mkdir(parents=True)

    note = record_refusal(settings, "run-refused", [("ingest", "a.csv, row 3: expected a number")])

    after = {path.name: path.read_bytes() for path in published.iterdir()}
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == {"latest_refresh.json", "latest_refresh.html", "latest_refresh.ko.html"}
    record = json.loads(after["latest_refresh.json"])
    assert (record["status"], record["refused_run_id"], record["published_build_id"]) == (
        "refused", "run-refused", "build-1")  # fmt: skip
    assert record["failed_report"] == {"en": "../.build/reports/index.html",
                                       "ko": "../.build/reports/index.ko.html"}  # fmt: skip
    assert "expected a number" in record["reason"]["en"] and note["note_path"]
    page = after["latest_refresh.ko.html"].decode()
    assert "최근 갱신이 거부되었습니다" in page and 'href="../.build/reports/index.ko.html"' in page
    assert not list(published.glob(".*.tmp"))  # written through temporary files, renamed


def test_changes_by_year_and_account_show_the_notes_beside_them(tmp_path: Path) -> None:
    import duckdb

    db = _tiny_build(tmp_path / "bnd.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table marts.fct_budget_change as select * from (values "
            "(2019, 'local_support', 'account_whole', false, 2018, 4203522, 4760211, 556689, "
            "13.24, 'increase', null), "
            "(2020, 'local_support', 'account_whole', false, 2019, 4760211, 6613132, 1852921, "
            "38.93, 'increase', null)) as t(fiscal_year, account_code, level_code, "
            "is_account_total, previous_fiscal_year, previous_amount_krw_million, "
            "current_amount_krw_million, change_krw_million, change_pct, direction, "
            "current_source_locators)"
        )
        con.execute(
            "create table marts.dim_budget_change_note as select * from (values (1, 'increase', "
            "'local_support', 'Support Accounts', 'Increase in Support Accounts: Transfer of "
            "road projects', null, 'page.txt:66')) as t(note_number, direction, account_code, "
            "subject_label, note_text_en, stated_amount_krw_million, source_locator)"
        )
        con.execute(
            "create table marts.bridge_budget_change_note as select * from (values "
            "(1, 2020, 'local_support', 'account_whole', 'inferred_direction_only', 1, 2, 'a'), "
            "(1, 2019, 'local_support', 'account_whole', 'inferred_direction_only', 2, 2, 'b')) "
            "as t(note_number, fiscal_year, account_code, level_code, link_basis, "
            "candidate_rank, n_candidates, link_note)"
        )
    reports = tmp_path / "reports"
    write_report(reports, db, BuildFacts("published"))

    dq = json.loads((reports / "dq.json").read_text(encoding="utf-8"))
    jsonschema.validate(dq, json.loads((EXPECTATIONS_DIR / "dq.schema.json").read_text()))
    assert dq["changes"]["rows"][0]["account_name_ko"] == "지역지원계정"
    html = (reports / "index.ko.html").read_text(encoding="utf-8")
    table = html[html.index('<table id="budget-changes">') :]
    table = table[: table.index("</table>")]
    assert "2019 → 2020년" in table and "+1,852,921" in table and "+38.93 %" in table
    assert "지역지원계정" in table and "local_support" not in re.sub(r'"[^"]*"', "", table)
    # The note beside its account, linked to the years it may explain, most likely first.
    assert 'id="note-1"' in table and "Transfer of road projects" in table
    assert table.index("2020년 (2개 중 1순위)") < table.index("2019년 (2개 중 2순위)")
    assert '<a class="note-mark likely" href="#note-1"' in table
    for anchor in re.findall(r'href="#([^"]+)"', table):
        assert f'id="{anchor}"' in html, anchor
