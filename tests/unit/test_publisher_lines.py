"""Budget lines in publishers' own layouts, read through their profiles into a real DuckDB landing.

The files are synthetic (``tests.publisher_files``) but laid out as each publisher lays them
out: the Open Fiscal Data API's fields (as CSV and as the API's JSON answer) and the portal's
Korean headers (as CSV in cp949 and as XLSX), and a local government's budget by project.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.budget_lines import find_line_files, land_lines
from pipelines.sources.profiles import publisher_layouts
from tests.conftest import DATA_RAW
from tests.publisher_files import (
    API_HEADER,
    PORTAL_HEADER,
    detail_rows_2016,
    register_line_file,
    write_api_json,
    write_csv,
)

OFD = "open_fiscal_data_detail_budget"
LOCAL = "local_government_budget"
LINE_COLUMNS = (
    "fiscal_year, account_code, level_code, organisation_kind, organisation_code, "
    "programme_code, phase, amount_krw_million, line_source, account_name_that_year, "
    "sub_account_name_that_year, account_mapping, field_name, sector_name, programme_name, "
    "unit_project_name, detail_project_name"
)


def _raw(tmp_path: Path) -> Path:
    """A raw folder with the registry's defaults, no sources, and the shipped profiles."""
    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    shutil.copytree(DATA_RAW / "profiles", raw / "profiles")
    (raw / "sources.yml").write_text("sources: []\n", encoding="utf-8")
    return raw


def _land(raw: Path, years: list[int]) -> tuple[list[tuple], dict[str, int]]:
    layouts = publisher_layouts(raw)
    with duckdb.connect() as con:
        files = find_line_files(raw, years, layouts)
        landed = land_lines(con, files, years, None, layouts, raw.parent)
        rows = con.execute(f"select {LINE_COLUMNS} from raw.budget_lines order by all").fetchall()
    return rows, landed.excluded


def _xlsx(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        # As the portal's workbook holds them: years and amounts as numbers.
        sheet.append(
            [int(value.replace(",", "")) if value[:1].isdigit() else value for value in row]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def _detail(tmp_path: Path, name: str, write, unit: str | None = "천원") -> Path:
    raw = _raw(tmp_path / name)
    file = write(raw / "budget_lines" / "2016")
    register_line_file(raw, f"budget_lines/2016/{file.name}", OFD, unit)
    return raw


WRITERS = {
    "api.csv": lambda folder: write_csv(folder / "api.csv", API_HEADER, detail_rows_2016()),
    "api.json": lambda folder: write_api_json(folder / "api.json", detail_rows_2016()),
    "portal.csv": lambda folder: write_csv(
        folder / "portal.csv", PORTAL_HEADER, detail_rows_2016(), encoding="cp949"
    ),
    "portal.xlsx": lambda folder: (
        _xlsx(folder / "portal.xlsx", PORTAL_HEADER, detail_rows_2016()) or folder / "portal.xlsx"
    ),
}


def test_the_api_s_and_the_portal_s_layouts_give_the_same_lines(tmp_path: Path) -> None:
    landed = {name: _land(_detail(tmp_path, name.replace(".", "_"), write), [2016])
              for name, write in WRITERS.items()}  # fmt: skip
    reference_rows, reference_excluded = landed["api.csv"]
    for name, (rows, excluded) in landed.items():
        assert rows == reference_rows, name
        assert excluded == reference_excluded, name
    # 4 accounts × 2 lines × 2 phases; proposed and enacted are lines of their own.
    assert len(reference_rows) == 16
    phases = {row[6] for row in reference_rows}
    assert phases == {"proposed", "enacted"}
    # 천원 kept exactly: a third of Jeju's 361,795 million and 250 thousand, in KRW million.
    jeju = sorted(row[7] for row in reference_rows if row[1] == "jeju" and row[6] == "enacted")
    assert [str(amount) for amount in jeju] == ["120598.583", "241196.417"]
    assert sum(jeju) == 361795  # the page's 2016 Jeju figure


def test_the_2016_names_are_kept_beside_today_s_accounts(tmp_path: Path) -> None:
    rows, excluded = _land(_detail(tmp_path, "api", WRITERS["api.csv"]), [2016])
    names = {(row[1], row[10], row[11]) for row in rows}
    assert names == {
        ("local_support", "경제발전계정", "renamed"),
        ("local_autonomous", "생활기반계정", "renamed"),
        ("sejong", "세종특별자치시계정", "same"),
        ("jeju", "제주특별자치도계정", "same"),
    }
    assert {row[9] for row in rows} == {"지역발전특별회계"}
    # A ministry's detail gives no level: each line is its account's as a whole.
    assert {(row[2], row[3]) for row in rows} == {("account_whole", "central_agency")}
    assert {row[8] for row in rows} == {OFD}
    # Rows of other 회계 in the same download are counted, never dropped silently.
    assert excluded == {"일반회계": 1, "농어촌구조개선특별회계": 1}


ERAS = [
    # (year, 회계, 계정) as each era named them → (today's account, mapping)
    ((2007, "국가균형발전특별회계", "지역혁신사업계정"), ("bnd_special_account", "split")),
    ((2007, "국가균형발전특별회계", "제주특별자치도계정"), ("jeju", "same")),
    ((2012, "광역·지역발전특별회계", "광역발전계정"), ("local_support", "mostly")),
    ((2012, "광역ㆍ지역발전 특별회계", "지역개발계정"), ("local_autonomous", "mostly")),
    ((2016, "지역발전특별회계", "경제발전계정"), ("local_support", "renamed")),
    ((2020, "국가균형발전특별회계", "지역자율계정"), ("local_autonomous", "same")),
    ((2026, "지역균형발전특별회계", "지역지원계정"), ("local_support", "same")),
]


@pytest.mark.parametrize(("published", "today"), ERAS)
def test_each_era_s_account_maps_to_today_s(tmp_path: Path, published, today) -> None:
    year, account, sub_account = published
    raw = _raw(tmp_path)
    row = [str(year), "합성부처", account, sub_account, "분야", "부문", "프로그램", "단위", "세부",
           "사업비", "일반", "1,000", "2,000"]  # fmt: skip
    write_csv(raw / "budget_lines" / str(year) / "detail.csv", API_HEADER, [row])
    register_line_file(raw, f"budget_lines/{year}/detail.csv", OFD, "천원")
    rows, _ = _land(raw, [year])
    assert {(r[1], r[11], r[9], r[10]) for r in rows} == {(*today, account, sub_account)}


def test_an_unknown_account_of_the_special_account_stops_the_run(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    rows = detail_rows_2016()
    rows[3][3] = "지역자율계정"  # today's name, in a year before it existed
    file = write_csv(raw / "budget_lines" / "2016" / "detail.csv", API_HEADER, rows)
    register_line_file(raw, "budget_lines/2016/detail.csv", OFD, "천원")
    with pytest.raises(SourceError) as error:
        _land(raw, [2016])
    assert error.value.file == str(file)
    assert error.value.place == "line 5, column ACCT_NM"  # the header is line 1
    assert error.value.found == "'지역자율계정'"
    assert (
        "생활기반계정" in error.value.expected
        and "지역발전특별회계 in 2016" in error.value.expected
    )


def test_a_file_whose_unit_is_not_declared_is_refused_saying_where(tmp_path: Path) -> None:
    raw = _detail(tmp_path, "api", WRITERS["api.csv"], unit=None)
    with pytest.raises(SourceError) as error:
        _land(raw, [2016])
    assert error.value.file == str(raw / "sources.yml")
    assert "unit: 천원" in error.value.expected and error.value.found == "no unit"


def test_a_header_that_states_another_unit_than_the_declared_one_is_refused(
    tmp_path: Path,
) -> None:
    raw = _detail(tmp_path, "portal", WRITERS["portal.csv"], unit="백만원")
    with pytest.raises(SourceError, match=r"header, column 정부안금액\(천원\)") as error:
        _land(raw, [2016])
    assert "백만원" in error.value.expected


def test_a_local_government_budget_keeps_the_locally_formulated_account(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    header = ("회계연도", "자치단체명", "회계명", "분야명", "부문명", "세부사업명", "예산액")
    rows = [
        [
            "2016",
            "경기도",
            "지역발전특별회계",
            "지역개발",
            "지역및도시",
            "합성 도로정비",
            "1,500,000",
        ],
        [
            "2016",
            "경기도 수원시",
            "지역발전특별회계",
            "지역개발",
            "지역및도시",
            "합성 하천",
            "700,000",
        ],
        ["2016", "제주특별자치도", "지역발전특별회계", "관광", "관광", "합성 관광지", "90,000"],
        ["2016", "경기도 수원시", "일반회계", "일반공공행정", "일반행정", "합성 청사", "5,000"],
    ]
    write_csv(raw / "budget_lines" / "2016" / "gyeonggi.csv", header, rows)
    register_line_file(raw, "budget_lines/2016/gyeonggi.csv", LOCAL, "원")
    landed, excluded = _land(raw, [2016])
    # 원 to KRW million, exactly; the 계정 is the locally formulated one under its 2016 name.
    assert [(row[1], row[2], row[3], row[4], str(row[7]), row[10]) for row in landed] == [
        ("local_autonomous", "city_province", "city_province", "경기도", "1.500", "생활기반계정"),
        (
            "local_autonomous",
            "city_province",
            "city_province",
            "제주특별자치도",
            "0.090",
            "생활기반계정",
        ),
        ("local_autonomous", "si_gun_gu", "si_gun_gu", "경기도 수원시", "0.700", "생활기반계정"),
    ]
    assert excluded == {"일반회계": 1}


def test_an_unknown_profile_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    write_csv(raw / "budget_lines" / "2016" / "x.csv", API_HEADER, detail_rows_2016())
    register_line_file(raw, "budget_lines/2016/x.csv", "open_fiscal", "천원")
    with pytest.raises(SourceError, match=f"one of {LOCAL}, {OFD}"):
        publisher_layouts(raw)


def test_a_bad_amount_in_the_api_s_answer_is_named_by_its_record(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    rows = detail_rows_2016()
    rows[2][12] = "-5,000"  # 국회확정 of the third record
    write_api_json(raw / "budget_lines" / "2016" / "api.json", rows)
    register_line_file(raw, "budget_lines/2016/api.json", OFD, "천원")
    with pytest.raises(SourceError) as error:
        _land(raw, [2016])
    assert error.value.place == "record 3, column Y_YY_DFN_MEDI_KCUR_AMT"
    assert error.value.expected == "an amount of 0 or more in 천원"


@pytest.mark.parametrize(
    "document",
    ['{"ExpenditureBudgetInit5": {"row": "x"}}', "[1, 2]", '{"a": [], "b": []}', '"[{"'],
)
def test_json_that_is_not_the_api_s_answer_is_refused(tmp_path: Path, document: str) -> None:
    raw = _raw(tmp_path)
    path = raw / "budget_lines" / "2016" / "api.json"
    path.parent.mkdir(parents=True)
    path.write_text(document, encoding="utf-8")
    register_line_file(raw, "budget_lines/2016/api.json", OFD, "천원")
    with pytest.raises(SourceError) as error:
        _land(raw, [2016])
    assert error.value.file == str(path)
