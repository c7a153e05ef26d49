"""The central government's detail budget as the Open Fiscal Data portal publishes it, through
whole runs (`make run`): registered with a profile and a unit only, it lands in fct_budget_line
beside today's accounts, reconciles with the page's 2016 figures, counts the other 회계 it holds,
and a unit declared wrongly (amounts 1,000 times too large) keeps the published build as it was.
A failed reconciliation names the page's line and the line file, prints both figures alike, the
difference, the ratio and the status: two line files failing it in different ways share one run.

The portal's download (CSV in cp949, XLSX) lands the same lines as the API's answer: that is
proven where the layouts are read (tests/unit/test_publisher_lines.py); dbt reads the landing
only, whatever the file's layout, so it needs no whole run of its own.

The same run carries the local governments' side of the publishers' files: beside the real
구리시 book of data_raw/, a synthetic book of another 경기도 government (남양주시, same year and
phase, with a printed total), so that the regional marts, the reconciliation and the report show
two governments of one 시·도 with the coverage stated and NOT_COMPARED for the 시·도 (one build
shared instead of one more whole run).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import Settings
from tests.conftest import DATA_RAW
from tests.integration.conftest import run_cli
from tests.local_books import Book, Row, register_book, sample_rows
from tests.local_books import write_csv as write_book
from tests.publisher_files import (
    API_HEADER,
    detail_rows_2016,
    register_line_file,
    write_api_json,
    write_csv,
)
from tests.source_figures import HISTORY_FILE, LEAVES, PAGE_FILE, ROWS, YEARS

OFD = "open_fiscal_data_detail_budget"
# One run of the module's build, on one worker (the tests read it, or copy it).
pytestmark = pytest.mark.xdist_group("publisher_detail")
LINES = (
    "select fiscal_year, account_code, level_code, organisation_code, programme_code, phase, "
    "amount_krw_million, line_source, account_name_that_year, sub_account_name_that_year, "
    "account_mapping, detail_project_name from marts.fct_budget_line order by all"
)


# A cited figure of 2016's whole account (the page prints 9,973,926 KRW million), to compare the
# lines with, in the cited file's columns (fiscal_year, account, measure, item, basis, amount,
# unit, precision, phase, stated_by, published, url, locator, note): 9.97 조원 ± 0.005, no phase
# stated. Appended below the committed file's 65 figures and header, it is its line 67.
STATED_2016 = (
    '2016,지역발전특별회계,spending,합계,,9.97,조원,0.01,,"a synthetic statement of the tests",'
    "2016-01-04,https://example.org/synthetic-statement,1st paragraph,\n"
)
STATED_2016_AT = f"{HISTORY_FILE}:67"
# The committed file's own figure of 2016: 10 조원 (the press release, line 50), ± 0.5 조원.
PRESS_RELEASE_2016_AT = f"{HISTORY_FILE}:50"


def _raw(folder: Path, write, unit: str) -> Path:
    raw = folder / "data_raw"
    shutil.copytree(DATA_RAW, raw)
    with (raw / HISTORY_FILE).open("a", encoding="utf-8") as cited:
        cited.write(STATED_2016)
    file = write(raw / "budget_lines" / "2016")
    register_line_file(raw, f"budget_lines/2016/{file.name}", OFD, unit)
    return raw


def _lines(settings: Settings) -> list[tuple]:
    with duckdb.connect(str(settings.published_db), read_only=True) as con:
        return con.execute(LINES).fetchall()


@pytest.fixture(scope="module")
def api_build(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A run over the page and the 2016 detail as the API answers it (JSON, 천원)."""
    folder = tmp_path_factory.mktemp("api")
    raw = _raw(
        folder, lambda path: write_api_json(path / "detail.json", detail_rows_2016()), "천원"
    )
    write_book(raw / "local_budget_books" / "namyangju.csv", NAMYANGJU)
    register_book(raw, "namyangju.csv", "4123000")
    settings = Settings.at(raw, folder / "warehouse")
    completed = run_cli("run", settings, "--no-docs")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "16 lines, 0 subtotals, 1 file(s); 2 rows of other 회계 left out" in completed.stdout
    return settings


# A second 경기도 government's book (synthetic, cp949 CSV, one header row), of the real 구리시
# book's year and phase, with its own printed total: 0.4 + 0.4 + 1,270 KRW million of the account.
NAMYANGJU = Book(
    rows=[*sample_rows(), Row("", "", 1340600, 64000, special=1270800, label="합계")],
    two_row_header=False,
)


def test_the_detail_lands_beside_today_s_accounts_and_reconciles(api_build: Settings) -> None:
    lines = _lines(api_build)
    assert len(lines) == 16  # 4 accounts × 2 lines × proposed and enacted
    enacted: dict[str, int] = {}
    for row in lines:
        if row[5] == "enacted":
            enacted[row[1]] = enacted.get(row[1], 0) + row[6]
    # The page's 2016 figures, levels of the autonomous account added up.
    assert enacted == {
        "local_support": 4918356,
        "local_autonomous": 2862799 + 1727282,
        "sejong": 103694,
        "jeju": 361795,
    }
    eras = {(row[1], row[8], row[9], row[10]) for row in lines}
    assert ("local_support", "지역발전특별회계", "경제발전계정", "renamed") in eras
    assert ("local_autonomous", "지역발전특별회계", "생활기반계정", "renamed") in eras
    with duckdb.connect(str(api_build.published_db), read_only=True) as con:
        reconciliation = con.execute(
            "select account_code, grain, status from audit.audit_budget_line_reconciliation "
            "where line_source = ? order by all",
            [OFD],
        ).fetchall()
        # The era's names are queryable beside today's, for any year.
        era = con.execute(
            "select sub_account_name_ko, mapping from marts.dim_account_era "
            "where account_code = 'local_support' and 2012 between first_year and last_year"
        ).fetchall()
    assert reconciliation == [
        ("jeju", "account × level", "EXACT"),
        ("local_autonomous", "account", "EXACT"),
        ("local_support", "account × level", "EXACT"),
        ("sejong", "account × level", "EXACT"),
    ]
    assert sorted(era) == [("광역계정", "mostly"), ("광역발전계정", "mostly")]


def test_the_lines_are_compared_with_a_control_total_and_charted(api_build: Settings) -> None:
    with duckdb.connect(str(api_build.published_db), read_only=True) as con:
        compared = con.execute(
            "select phase, amount_krw_million, other_amount_krw_million, status, other_locator "
            "from audit.audit_source_comparison where comparison_kind = 'detail_lines' "
            "order by all"
        ).fetchall()
        history = con.execute(
            "select phase, amount_krw_million from marts.fct_special_account_history "
            "where fiscal_year = 2016 and account_code = 'bnd_special_account' "
            "and source_kind = 'detail lines'"
        ).fetchall()
    # 9.97 조원 ± 0.005 holds both sums: enacted 9,973,926 (the page's) and proposed 8 less; so
    # does the press release's 10 조원 ± 0.5. Neither states a phase: each meets both sums.
    assert compared == [
        ("enacted", 9_973_926, 9_970_000, "WITHIN_TOLERANCE", STATED_2016_AT),
        ("enacted", 9_973_926, 10_000_000, "WITHIN_TOLERANCE", PRESS_RELEASE_2016_AT),
        ("proposed", 9_973_918, 9_970_000, "WITHIN_TOLERANCE", STATED_2016_AT),
        ("proposed", 9_973_918, 10_000_000, "WITHIN_TOLERANCE", PRESS_RELEASE_2016_AT),
    ]
    assert sorted(history) == [("enacted", 9_973_926), ("proposed", 9_973_918)]


def test_the_other_accounts_of_the_download_are_counted_in_the_report(api_build: Settings) -> None:
    dq = json.loads((api_build.reports_dir / "dq.json").read_text(encoding="utf-8"))
    assert dq["excluded_rows"] == [
        {"file": "budget_lines/2016/detail.json", "fiscal_year": 2016,
         "account": "농어촌구조개선특별회계", "rows": 1},
        {"file": "budget_lines/2016/detail.json", "fiscal_year": 2016,
         "account": "일반회계", "rows": 1},
    ]  # fmt: skip
    html = (api_build.reports_dir / "index.html").read_text(encoding="utf-8")
    assert '<span lang="ko">일반회계</span>' in html


# --- local budget books beside the detail ---------------------------------------------------


def test_two_governments_of_one_province_are_shown_with_their_coverage(api_build: Settings) -> None:
    with duckdb.connect(str(api_build.published_db), read_only=True) as con:
        funding = con.execute(
            "select government_name_ko, sido_name_ko, phase, split_basis, "
            "special_account_krw_million, n_account_lines, governments_loaded_in_sido, "
            "governments_in_sido, coverage_note from marts.fct_local_account_funding "
            "order by government_code"
        ).fetchall()
        lines = con.execute(
            "select count(*), sum(special_account_krw_million) from marts.fct_local_account_line "
            "where government_code = '4123000'"
        ).fetchone()
        audit = con.execute(
            "select check_code, scope_name_ko, status, reason "
            "from audit.audit_local_reconciliation order by check_code, scope_code"
        ).fetchall()
    note = (
        "Gyeonggi-do: 2 of 32 governments have a book of 2025 (supplementary_3) loaded; "
        "nothing is extrapolated to the others"
    )
    # 구리시: the 12 lines of its 지역균형발전특별회계보조금 column, 1,353,632 천원 in all
    assert funding == [
        ("구리시", "경기도", "supplementary_3", "change", Decimal("1353.632"), 12, 2, 32, note),
        ("남양주시", "경기도", "supplementary_3", "change", Decimal("1270.8"), 3, 2, 32, note),
    ]
    assert lines == (3, Decimal("1270.8"))
    assert audit == [
        ("book_total", "경기도 구리시", "NOT_COMPARED", "the book prints no total"),
        (
            "book_total",
            "경기도 남양주시",
            "MATCH",
            "lines change 1276.600000 against the printed 1276.600000 KRW million; the special "
            "account 1270.800000 against 1270.800000",
        ),
        (
            "country",
            "시·군·구",
            "NOT_COMPARED",
            "2 of 226 governments of this level loaded",
        ),
        (
            "sido",
            "경기도",
            "NOT_COMPARED",
            "2 of 32 governments loaded: not compared until all are; even then, the summary "
            "table states the 시·도 and 시·군·구 levels for the whole country, not by 시·도 "
            "(see the country rows)",
        ),
    ]


def test_the_report_shows_the_province_with_both_governments_in_both_languages(
    api_build: Settings,
) -> None:
    for page, words in (
        ("index.html", ("Gyeonggi-do", "2 of 32", "Guri-si 1,353.63", "Namyangju-si 1,270.8")),
        ("index.ko.html", ("경기도", "32곳 중 2곳", "구리시 1,353.63", "남양주시 1,270.8")),
    ):
        html = (api_build.reports_dir / page).read_text(encoding="utf-8")
        section = html[html.index('<section id="regions">') :]
        section = re.sub(r"<[^>]+>", " ", section[: section.index("</section>")])
        for word in words:
            assert word in section, (page, word)


def test_amounts_declared_in_the_wrong_unit_fail_as_a_unit_mismatch(
    api_build: Settings, tmp_path: Path
) -> None:
    # The API's CSV states no unit; declared 백만원, its 천원 figures are 1,000 times too large.
    raw = _raw(
        tmp_path, lambda path: write_csv(path / "detail.csv", API_HEADER, detail_rows_2016()),
        "백만원",
    )  # fmt: skip
    warehouse = tmp_path / "warehouse"
    shutil.copytree(api_build.warehouse_dir, warehouse, symlinks=True)
    settings = Settings.at(raw, warehouse)
    before = file_sha256(settings.published_db)

    completed = run_cli("run", settings, "--no-docs")

    assert completed.returncode == 1
    assert file_sha256(settings.published_db) == before
    # Against the 2016 cited figures the lines' sums are 1,000 times too large: a blocking
    # UNIT_MISMATCH, named by year, account and the factor.
    assert "FAILED check assert_blocking_source_comparisons_match" in completed.stdout
    dq = json.loads((settings.build_reports_dir / "dq.json").read_text(encoding="utf-8"))
    (failed,) = [
        check for check in dq["checks"]
        if check["check_id"].endswith("assert_blocking_source_comparisons_match")
    ]  # fmt: skip
    assert {(row["status"], row["unit_factor"]) for row in failed["offending_rows"]} == {
        ("UNIT_MISMATCH", 0.001)
    }
    # Named by the file of the lines and the place of each stated total: the synthetic 9.97 조원
    # and the press release's 10 조원 (± 0.5 조원, it holds the sums ÷ 1,000 too).
    assert {
        (row["comparison_kind"], row["source_locator"], row["other_locator"])
        for row in failed["offending_rows"]
    } == {
        ("detail_lines", "budget_lines/2016/detail.csv", STATED_2016_AT),
        ("detail_lines", "budget_lines/2016/detail.csv", PRESS_RELEASE_2016_AT),
    }
    # The run's output says so, naming the line file and the cited figure's line, with both
    # figures, the ratio and the status.
    total = ROWS["Total"][1][YEARS.index(2016)]
    printed = [
        text for text in completed.stdout.splitlines()
        if text.startswith("    - UNIT_MISMATCH 2016 bnd_special_account total enacted:")
    ]  # fmt: skip
    (synthetic,) = [text for text in printed if f" vs {STATED_2016_AT} " in text]
    assert (
        f"budget_lines/2016/detail.csv (budget lines: {OFD}) {total * 1000:,} vs "
        f"{STATED_2016_AT} 9,970,000 KRW million, ratio 0.001,"
    ) in synthetic
    # 10,000,000 ÷ 9,973,926,000 = 0.0010026…, printed to six decimals.
    (press_release,) = [text for text in printed if f" vs {PRESS_RELEASE_2016_AT} " in text]
    assert (
        f"budget_lines/2016/detail.csv (budget lines: {OFD}) {total * 1000:,} vs "
        f"{PRESS_RELEASE_2016_AT} 10,000,000 KRW million, ratio 0.001003,"
    ) in press_release


# Today's account → its 계정 since 2019 (국가균형발전특별회계).
ACCOUNTS_2020 = {
    "local_support": "지역지원계정",
    "local_autonomous": "지역자율계정",
    "sejong": "세종특별자치시계정",
    "jeju": "제주특별자치도계정",
}


def detail_rows_2020(scale: dict[str, Decimal]) -> list[list[str]]:
    """A synthetic 2020 detail budget: two lines per account whose enacted amounts (천원) add up to
    the page's 2020 figure of the account (levels added up) × ``scale`` of it (1 by default)."""
    column = YEARS.index(2020)
    figures: dict[str, int] = {}
    for (account, _), amounts in LEAVES.items():
        figures[account] = figures.get(account, 0) + amounts[column]
    rows = []
    for number, (account, figure) in enumerate(figures.items(), start=1):
        thousands = int(Decimal(figure * 1000) * scale.get(account, Decimal(1)))
        first = thousands // 3 + 250  # 천원 that are not whole KRW millions
        for part, amount in enumerate((first, thousands - first), start=1):
            where = ["2020", f"합성부처{number}", "국가균형발전특별회계", ACCOUNTS_2020[account]]
            names = [f"합성프로그램{number}", f"합성단위사업{number}-{part}"]
            names.append(f"합성세부사업{number}-{part}")
            proposed_and_enacted = [f"{amount - 1000:,}", f"{amount:,}"]
            rows.append(
                [*where, "지역개발", "지역및도시", *names, "사업비", "일반", *proposed_and_enacted]
            )
    return rows


@dataclass(frozen=True)
class FailedRun:
    settings: Settings
    completed: subprocess.CompletedProcess[str]
    published_before: str


OVER = {"local_support": Decimal("1.01")}


def _without_years(cited: Path, years: tuple[int, ...]) -> None:
    """The cited figures file without its rows of ``years`` (one row a line, the year first)."""
    lines = cited.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(tuple(f"{year}," for year in years))]
    assert len(lines) - len(kept) == 2  # 2016: the press release (line 50); 2020: the memo (53)
    cited.write_text("".join(kept), encoding="utf-8")


@pytest.fixture(scope="module")
def lines_off_the_page(api_build: Settings, tmp_path_factory: pytest.TempPathFactory) -> FailedRun:
    """One run over the page with two line files that do not reconcile with it, each failing in
    its own way (no control total this time: the lines meet only the page's figures, in the GX
    suite): 2016's detail, its 천원 declared 백만원 (1,000 times too large), and 2020's, whose
    Local Support lines add up to 1 % over the page. Run over a copy of ``api_build``.

    The committed cited figures state both years' totals (10 조원 for 2016, 9.2 조원 for 2020):
    the copy leaves out the figures of those years, or the lines would meet them too."""
    folder = tmp_path_factory.mktemp("off_the_page")
    raw = folder / "data_raw"
    shutil.copytree(DATA_RAW, raw)
    _without_years(raw / HISTORY_FILE, (2016, 2020))
    write_csv(raw / "budget_lines" / "2016" / "detail.csv", API_HEADER, detail_rows_2016())
    register_line_file(raw, "budget_lines/2016/detail.csv", OFD, "백만원")
    write_api_json(raw / "budget_lines" / "2020" / "detail.json", detail_rows_2020(OVER))
    register_line_file(raw, "budget_lines/2020/detail.json", OFD, "천원")
    warehouse = folder / "warehouse"
    shutil.copytree(api_build.warehouse_dir, warehouse, symlinks=True)
    settings = Settings.at(raw, warehouse)
    before = file_sha256(settings.published_db)
    return FailedRun(settings, run_cli("run", settings, "--no-docs"), before)


def test_a_failed_reconciliation_with_the_page_publishes_nothing(
    lines_off_the_page: FailedRun,
) -> None:
    completed = lines_off_the_page.completed
    assert completed.returncode == 1
    assert "FAILED check gx_budget_line_reconciliation" in completed.stdout
    assert file_sha256(lines_off_the_page.settings.published_db) == (
        lines_off_the_page.published_before
    )


def test_a_unit_declared_wrongly_prints_unit_mismatch_against_the_page(
    lines_off_the_page: FailedRun,
) -> None:
    printed = [
        text
        for text in lines_off_the_page.completed.stdout.splitlines()
        if text.startswith("    - UNIT_MISMATCH")
    ]
    # One line per account of the page, each with the page's line, the line file and the factor.
    assert len(printed) == len({account for account, _ in LEAVES})
    line, amounts = ROWS["Local Support Account"]
    figure = amounts[YEARS.index(2016)]
    (local_support,) = [text for text in printed if " 2016 local_support " in text]
    assert f"expected {figure:,} ({PAGE_FILE}:{line} [2016]) vs actual {figure * 1000:,} " in (
        local_support
    )
    assert f"(sum of 2 lines of budget_lines/2016/detail.csv, {OFD})" in local_support
    assert "ratio 1,000 (actual ÷ expected)" in local_support
    assert f"difference {figure * 1000 - figure:,}" in local_support
    assert "unit declared for the line file" in local_support


def test_lines_one_percent_over_the_page_fail_naming_the_page_and_the_line_file(
    lines_off_the_page: FailedRun,
) -> None:
    settings, out = lines_off_the_page.settings, lines_off_the_page.completed.stdout
    # The page's figure (its line 55, column 2020) and the sum of the lines, 1 % over it.
    line, amounts = ROWS["Local Support Account"]
    expected = amounts[YEARS.index(2020)]
    actual = Decimal(expected) * OVER["local_support"]
    (printed,) = [text for text in out.splitlines() if text.startswith("    - MISMATCH 2020")]
    assert printed == (
        f"    - MISMATCH 2020 local_support account_whole enacted: "
        f"expected {expected:,.2f} ({PAGE_FILE}:{line} [2020]) vs "
        f"actual {actual:,.2f} (sum of 2 lines of budget_lines/2020/detail.json, {OFD}) "
        f"KRW million, ratio 1.01 (actual ÷ expected), difference {actual - expected:,.2f} "
        "(tolerance 0.5)"
    )
    # Both figures the same way: separators and the same decimals.
    figures = re.findall(r"(?:expected|actual) ([\d,]+(?:\.\d+)?) ", printed)
    assert [len(figure.partition(".")[2]) for figure in figures] == [2, 2]
    # The failed build's dq.json, report and Data Docs name the same files and figures.
    reports = settings.build_reports_dir
    dq = json.loads((reports / "dq.json").read_text(encoding="utf-8"))
    (failed,) = [check for check in dq["checks"] if check["status"] == "fail"]
    assert printed.removeprefix("    - ") in failed["offending_rows_text"]
    (row,) = [row for row in failed["offending_rows"] if row["status"] == "MISMATCH"]
    assert (row["source_locator"], row["line_files"], row["ratio"]) == (
        f"{PAGE_FILE}:{line} [2020]",
        "budget_lines/2020/detail.json",
        1.01,
    )
    html = (reports / "index.html").read_text(encoding="utf-8")
    failure = html[html.index('id="failures"') : html.index('id="reconciliation"')]
    (shown,) = [tr for tr in re.findall(r"<tr>.*?</tr>", failure, re.S) if ">2020<" in tr
                and "local_support" in tr]  # fmt: skip
    for text in (f"{expected:,.2f}", f"{actual:,.2f}", ">1.01<", "MISMATCH",
                 f"{PAGE_FILE}:{line} [2020]", "budget_lines/2020/detail.json"):  # fmt: skip
        assert text in shown, text
    docs = (reports / "gx" / "validations" / "budget_line_reconciliation.html").read_text("utf-8")
    for text in (f"{expected:,.2f}", f"{actual:,.2f}", "budget_lines/2020/detail.json"):
        assert text in docs, text
