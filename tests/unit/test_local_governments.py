"""The reference list of local governments holds the 243 of today, each code once a year.

The counts are those the Ministry of the Interior and Safety publishes (17 시·도; 226 시·군·구 in
2025: 서울 25 구, 경기 31 시·군, …), typed here, not read from the seed."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.core.settings import SEEDS_DIR
from pipelines.sources.local_governments import GOVERNMENTS_SEED, local_governments

SI_GUN_GU_2025 = {
    "서울특별시": 25, "부산광역시": 16, "대구광역시": 9, "인천광역시": 10, "광주광역시": 5,
    "대전광역시": 5, "울산광역시": 5, "세종특별자치시": 0, "경기도": 31, "강원특별자치도": 18,
    "충청북도": 11, "충청남도": 15, "전북특별자치도": 14, "전라남도": 22, "경상북도": 22,
    "경상남도": 18, "제주특별자치도": 0,
}  # fmt: skip


def valid_in(year: int):
    return [row for row in local_governments() if row.covers(year)]


def test_2025_has_17_provinces_and_226_lower_governments_by_province() -> None:
    rows = valid_in(2025)
    provinces = {row.code: row.name_ko for row in rows if row.level == "city_province"}
    assert sorted(provinces.values()) == sorted(SI_GUN_GU_2025)
    lower = Counter(provinces[row.sido_code] for row in rows if row.level == "si_gun_gu")
    assert {name: lower.get(name, 0) for name in SI_GUN_GU_2025} == SI_GUN_GU_2025
    assert len(rows) == 243


def test_no_code_names_two_governments_in_one_year() -> None:
    for year in range(2005, 2027):
        codes = Counter(row.code for row in valid_in(year))
        assert [code for code, n in codes.items() if n > 1] == [], year


def test_a_province_is_its_own_province_and_a_lower_government_is_under_one() -> None:
    rows = local_governments()
    codes = {row.code for row in rows if row.level == "city_province"}
    for row in rows:
        if row.level == "city_province":
            assert row.sido_code == row.code, row
        else:
            assert row.sido_code in codes and row.full_name_ko.endswith(row.name_ko), row


def test_gunwi_moved_from_gyeongbuk_to_daegu() -> None:
    gunwi = {row.first_year or 0: row.full_name_ko for row in local_governments()
             if row.name_ko == "군위군"}  # fmt: skip
    assert sorted(gunwi.values()) == ["경상북도 군위군", "대구광역시 군위군"]


def test_a_row_of_an_unknown_level_is_refused(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    with (seeds / GOVERNMENTS_SEED).open("a", encoding="utf-8") as handle:
        handle.write("9999000,가상군,가상도 가상군,Gasang-gun,eup_myeon,군,9900000,가상도,G,,,,x\n")
    lines = sum(1 for _ in (seeds / GOVERNMENTS_SEED).open(encoding="utf-8"))
    with pytest.raises(SourceError) as caught:
        local_governments(seeds)
    assert caught.value.place == f"line {lines}, column level"
    assert caught.value.found == "'eup_myeon'"
