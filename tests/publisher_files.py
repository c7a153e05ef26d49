"""Synthetic files in the publishers' own layouts, written by the tests (never in data_raw/).

The rows are made up (synthetic ministries and programmes, marked so), but their 회계 and 계정 are
the names each era really used, and where a year overlaps the page's table the enacted amounts add
up, per account, to the page's figures (``tests.source_figures``): the detail then reconciles with
the summary, as a real download of that year should.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb

from tests.source_figures import LEAVES, YEARS

OFD = "open_fiscal_data_detail_budget"
# A profile of local governments' lines by project, written by the tests only: no publisher's
# file in this layout was ever seen (the real local budget books are read by
# ``sources.local_budget_book``). It keeps the profiles' organisation kind by the suffix of a
# name (시·도 or 시·군·구) tested.
LOCAL = "synthetic_local_by_project"
LOCAL_PROFILE = f"""name: {LOCAL}
title: synthetic lines by local government and project (tests only)
publisher: the local government named on each line
organisation_kind:
  city_province_suffixes: [특별시, 광역시, 특별자치시, 특별자치도, 도]
  otherwise: si_gun_gu
today_account: local_autonomous
fields:
  fiscal_year: [회계연도]
  organisation: [자치단체명]
  account: [회계명]
  field: [분야명]
  sector: [부문명]
  detail_project: [세부사업명]
amounts:
  - columns: [예산액]
    phase: enacted
"""


def write_local_profile(raw: Path) -> None:
    (raw / "profiles" / f"{LOCAL}.yml").write_text(LOCAL_PROFILE, encoding="utf-8")


# The columns of raw.budget_lines two landings of the same lines agree on.
LINE_COLUMNS = (
    "fiscal_year, account_code, level_code, organisation_kind, organisation_code, "
    "programme_code, phase, amount_krw_million, line_source, account_name_that_year, "
    "sub_account_name_that_year, account_mapping, field_name, sector_name, programme_name, "
    "unit_project_name, detail_project_name"
)

# The Open Fiscal Data API's fields and the portal's Korean headers for the same columns.
API_HEADER = (
    "FSCL_YY", "OFFC_NM", "FSCL_NM", "ACCT_NM", "FLD_NM", "SECT_NM", "PGM_NM", "ACTV_NM",
    "SACTV_NM", "BZ_CLS_NM", "FIN_DE_EP_NM", "Y_YY_MEDI_KCUR_AMT", "Y_YY_DFN_MEDI_KCUR_AMT",
)  # fmt: skip
PORTAL_HEADER = (
    "회계연도", "소관명", "회계명", "계정명", "분야명", "부문명", "프로그램명", "단위사업명",
    "세부사업명", "경비구분", "지출구분", "정부안금액(천원)", "국회확정금액(천원)",
)  # fmt: skip
# Today's account → its 계정 in 2015–2018 (지역발전특별회계).
ACCOUNTS_2016 = {
    "local_support": "경제발전계정",
    "local_autonomous": "생활기반계정",
    "sejong": "세종특별자치시계정",
    "jeju": "제주특별자치도계정",
}
SPECIAL_ACCOUNT_2016 = "지역발전특별회계"
OTHER_ACCOUNTS = ("일반회계", "농어촌구조개선특별회계")


def _enacted_2016() -> dict[str, int]:
    """The page's 2016 figure of each account, in KRW million (levels added up)."""
    column = YEARS.index(2016)
    totals: dict[str, int] = {}
    for (account, _), amounts in LEAVES.items():
        totals[account] = totals.get(account, 0) + amounts[column]
    return totals


def detail_rows_2016() -> list[list[str]]:
    """Rows of a synthetic 2016 detail budget: two lines per account of the special account
    (their enacted amounts, in 천원, add up to the page's figure; the second one not a whole
    million), and lines of other 회계 mixed in."""
    rows = []
    for number, (account, enacted) in enumerate(_enacted_2016().items(), start=1):
        thousands = enacted * 1000
        first = thousands // 3 + 250  # 천원 that are not whole KRW millions
        for part, amount in enumerate((first, thousands - first), start=1):
            where = ["2016", f"합성부처{number}", SPECIAL_ACCOUNT_2016, ACCOUNTS_2016[account]]
            names = [f"합성프로그램{number}", f"합성단위사업{number}-{part}"]
            names.append(f"합성세부사업{number}-{part}")
            amounts = [f"{amount - 1000:,}", f"{amount:,}"]
            rows.append([*where, "지역개발", "지역및도시", *names, "사업비", "일반", *amounts])
    for number, account in enumerate(OTHER_ACCOUNTS, start=1):
        rows.append([
            "2016", "합성부처9", account, "", "일반공공행정", "일반행정", f"다른프로그램{number}",
            f"다른단위사업{number}", f"다른세부사업{number}", "사업비", "일반", "5,000", "5,000",
        ])  # fmt: skip
    return rows


def write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]], encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_api_json(path: Path, rows: list[list[str]], service="ExpenditureBudgetInit5") -> Path:
    """The rows as the API answers (its amounts as numbers), saved as it came."""
    answer = api_answer(api_records(rows), service)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    return path


def register_line_file(raw_dir: Path, file: str, profile: str, unit: str | None) -> None:
    """Add ``file`` under ``line_files:`` of the copy's registry (with ``unit`` if given)."""
    registry = raw_dir / "sources.yml"
    text = registry.read_text(encoding="utf-8")
    entry = f"  - file: {file}\n    profile: {profile}\n" + (f"    unit: {unit}\n" if unit else "")
    if "\nline_files:\n" not in text:
        text += "\nline_files:\n"
    registry.write_text(text + entry, encoding="utf-8")


PORTAL_TITLE = "2016년 세부사업 예산편성현황"
PORTAL_UNIT_LINE = "(단위: 천원)"


def write_portal_xlsx(
    path: Path,
    rows: list[list[str]],
    header: tuple[str, ...] = PORTAL_HEADER,
    *,
    title: str | None = None,
    unit_line: str | None = None,
) -> Path:
    """The rows as the portal's workbook holds them (years and amounts as numbers); with
    ``title``, its title row merged across the table, then ``unit_line`` and an empty row above
    the header, as the portal's download of 세부사업 예산편성현황 lays them out."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title is not None:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.append([unit_line] if unit_line else [])
        sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append(
            [int(value.replace(",", "")) if value[:1].isdigit() else value for value in row]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def raw_with_profiles(tmp_path: Path) -> Path:
    """A raw folder with the registry's defaults, no sources, and the shipped profiles."""
    from tests.conftest import DATA_RAW

    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    shutil.copytree(DATA_RAW / "profiles", raw / "profiles")
    (raw / "sources.yml").write_text("sources: []\n", encoding="utf-8")
    return raw


def land_publisher_lines(raw: Path, years: list[int]) -> tuple[list[tuple], dict[str, int]]:
    """The lines the registered line files of ``years`` land (``LINE_COLUMNS``, sorted), and
    the rows of other 회계 left out, as ingest lands them."""
    from pipelines.landing.budget_lines import land_lines
    from pipelines.landing.line_files import find_line_files
    from pipelines.sources.profiles import publisher_layouts

    layouts = publisher_layouts(raw)
    with duckdb.connect() as con:
        files = find_line_files(raw, years, layouts)
        landed = land_lines(con, files, years, None, layouts, raw.parent)
        rows = con.execute(f"select {LINE_COLUMNS} from raw.budget_lines order by all").fetchall()
    return rows, landed.excluded


def write_json_answer(raw: Path, answer: object, name: str = "api.json") -> Path:
    """``answer`` saved as ``budget_lines/2016/<name>`` and registered (천원, the API's profile)."""
    path = raw / "budget_lines" / "2016" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    register_line_file(raw, f"budget_lines/2016/{name}", OFD, "천원")
    return path


def api_records(rows: list[list[str]]) -> list[dict]:
    """The rows as the API's records (amounts as numbers, empty cells as null)."""
    return [
        {
            key: (int(value.replace(",", "")) if key.endswith("_AMT") else value) or None
            for key, value in zip(API_HEADER, row, strict=True)
        }
        for row in rows
    ]


def api_answer(records: list[dict], service: str = "ExpenditureBudgetInit5") -> dict:
    """``records`` in the API's answer: ``{service: [{head: …}, {row: records}]}``."""
    head = [
        {"list_total_count": len(records)},
        {"RESULT": {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다."}},
    ]
    return {service: [{"head": head}, {"row": records}]}
