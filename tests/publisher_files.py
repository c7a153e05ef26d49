"""Synthetic files in the publishers' own layouts, written by the tests (never in data_raw/).

The rows are made up (synthetic ministries and programmes, marked so), but their 회계 and 계정 are
the names each era really used, and where a year overlaps the page's table the enacted amounts add
up, per account, to the page's figures (``tests.source_figures``): the detail then reconciles with
the summary, as a real download of that year should.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.source_figures import LEAVES, YEARS

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
    records = [
        {
            key: (int(value.replace(",", "")) if key.endswith("_AMT") else value) or None
            for key, value in zip(API_HEADER, row, strict=True)
        }
        for row in rows
    ]
    answer = {service: [{"head": [{"list_total_count": len(records)}]}, {"row": records}]}
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
