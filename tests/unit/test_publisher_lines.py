"""Budget lines in publishers' own layouts, read through their profiles into a real DuckDB landing.

The files are synthetic (``tests.publisher_files``) but laid out as each publisher lays them
out: the Open Fiscal Data API's fields (as CSV and as the API's JSON answer) and the portal's
Korean headers (as CSV in cp949 and as XLSX), and a local government's budget by project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.sources.profiles import publisher_layouts
from tests.publisher_files import (
    API_HEADER,
    LOCAL,
    OFD,
    PORTAL_HEADER,
    PORTAL_TITLE,
    PORTAL_UNIT_LINE,
    detail_rows_2016,
    land_publisher_lines,
    raw_with_profiles,
    register_line_file,
    write_api_json,
    write_csv,
    write_local_profile,
    write_portal_xlsx,
)

_raw = raw_with_profiles
_land = land_publisher_lines


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
    "portal.xlsx": lambda folder: write_portal_xlsx(folder / "portal.xlsx", detail_rows_2016()),
    # As the portal's download lays it out: a merged title row, a unit line, an empty row.
    "portal_titled.xlsx": lambda folder: write_portal_xlsx(
        folder / "portal_titled.xlsx",
        detail_rows_2016(),
        title=PORTAL_TITLE,
        unit_line=PORTAL_UNIT_LINE,
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
    write_local_profile(raw)
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
    with pytest.raises(SourceError, match=rf"\(one of {OFD}\), found"):
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


def test_the_portal_s_workbook_under_its_title_and_unit_line_lands_as_the_api_s_answer(
    tmp_path: Path,
) -> None:
    titled = _land(_detail(tmp_path, "titled", WRITERS["portal_titled.xlsx"]), [2016])
    answer = _land(_detail(tmp_path, "api", WRITERS["api.json"]), [2016])
    assert titled == answer
    assert len(titled[0]) == 16


def test_a_unit_line_above_the_header_stating_another_unit_is_refused(tmp_path: Path) -> None:
    raw = _detail(tmp_path, "titled", WRITERS["portal_titled.xlsx"], unit="백만원")
    with pytest.raises(SourceError) as error:
        _land(raw, [2016])
    assert error.value.file == str(raw / "budget_lines" / "2016" / "portal_titled.xlsx")
    assert error.value.place == "sheet 'Sheet', row 2"
    assert error.value.found == "the line '(단위: 천원)' stating 천원"
    assert "백만원, the unit its sources.yml entry declares" in error.value.expected


def _csv_below_notes(raw: Path, notes: int) -> Path:
    """The portal's CSV with ``notes`` lines of text above its header."""
    path = write_csv(raw / "budget_lines" / "2016" / "notes.csv", PORTAL_HEADER, detail_rows_2016())
    lines = [f"합성 주석 {number}" for number in range(notes)]
    path.write_text("\n".join([*lines, path.read_text(encoding="utf-8")]), encoding="utf-8")
    register_line_file(raw, "budget_lines/2016/notes.csv", OFD, "천원")
    return path


def test_a_header_below_as_many_rows_as_are_searched_is_found(tmp_path: Path) -> None:
    from pipelines.landing.publisher_lines import HEADER_SEARCH_ROWS

    raw = _raw(tmp_path)
    _csv_below_notes(raw, HEADER_SEARCH_ROWS - 1)  # the header is the last row looked at
    rows, _ = _land(raw, [2016])
    assert len(rows) == 16


def test_a_header_past_the_rows_searched_is_refused_naming_the_search(tmp_path: Path) -> None:
    from pipelines.landing.publisher_lines import HEADER_SEARCH_ROWS

    raw = _raw(tmp_path)
    path = _csv_below_notes(raw, HEADER_SEARCH_ROWS)
    with pytest.raises(SourceError) as error:
        _land(raw, [2016])
    assert (error.value.file, error.value.place) == (str(path), "the first 20 rows")
    assert error.value.expected.startswith(f"a header naming the columns of profile {OFD}")
    assert error.value.found == "none; the first row reads '합성 주석 0'"
