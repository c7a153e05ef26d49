"""The central government's detail budget as the Open Fiscal Data portal publishes it, through
whole runs (`make run`): registered with a profile and a unit only, it lands in fct_budget_line
beside today's accounts, reconciles with the page's 2016 figures, counts the other 회계 it holds,
and a unit declared wrongly (amounts 1,000 times too large) keeps the published build as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.core.checksums import file_sha256
from pipelines.core.settings import Settings
from tests.conftest import DATA_RAW
from tests.integration.conftest import run_cli
from tests.publisher_files import (
    API_HEADER,
    PORTAL_HEADER,
    detail_rows_2016,
    register_line_file,
    write_api_json,
    write_csv,
)

OFD = "open_fiscal_data_detail_budget"
# One run of the module's build, on one worker (the tests read it, or copy it).
pytestmark = pytest.mark.xdist_group("publisher_detail")
LINES = (
    "select fiscal_year, account_code, level_code, organisation_code, programme_code, phase, "
    "amount_krw_million, line_source, account_name_that_year, sub_account_name_that_year, "
    "account_mapping, detail_project_name from marts.fct_budget_line order by all"
)


# A control total for 2016 (the page prints 9,973,926 KRW million), to compare the lines with.
STATED_2016 = '2016,Total,9.97,조원,"a synthetic statement of the tests",,0.01,\n'


def _raw(folder: Path, write, unit: str) -> Path:
    raw = folder / "data_raw"
    shutil.copytree(DATA_RAW, raw)
    with (raw / "account_history_control_totals.csv").open("a", encoding="utf-8") as totals:
        totals.write(STATED_2016)
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
    settings = Settings.at(raw, folder / "warehouse")
    completed = run_cli("run", settings, "--no-docs")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "16 lines, 0 subtotals, 1 file(s); 2 rows of other 회계 left out" in completed.stdout
    return settings


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
            "select phase, amount_krw_million, other_amount_krw_million, status "
            "from audit.audit_source_comparison where comparison_kind = 'detail_lines' "
            "order by all"
        ).fetchall()
        history = con.execute(
            "select phase, amount_krw_million from marts.fct_special_account_history "
            "where fiscal_year = 2016 and account_code = 'bnd_special_account' "
            "and source_kind = 'detail lines'"
        ).fetchall()
    # 9.97 조원 ± 0.005 holds both sums: enacted 9,973,926 (the page's) and proposed 8 less.
    assert compared == [
        ("enacted", 9_973_926, 9_970_000, "WITHIN_TOLERANCE"),
        ("proposed", 9_973_918, 9_970_000, "WITHIN_TOLERANCE"),
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


def test_the_portal_s_download_gives_the_same_lines(api_build: Settings, tmp_path: Path) -> None:
    portal = _raw(
        tmp_path,
        lambda path: write_csv(path / "detail.csv", PORTAL_HEADER, detail_rows_2016(), "cp949"),
        "천원",
    )
    settings = Settings.at(portal, tmp_path / "warehouse")
    completed = run_cli("run", settings, "--no-docs")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert _lines(settings) == _lines(api_build)


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
    # Against the 2016 control total the lines' sums are 1,000 times too large: a blocking
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
    # Named by the file of the lines and the place of the stated total.
    assert {
        (row["comparison_kind"], row["source_locator"], row["other_locator"])
        for row in failed["offending_rows"]
    } == {("detail_lines", "budget_lines/2016/detail.csv", "account_history_control_totals.csv:19")}
