"""The Open Fiscal Data API's JSON answer: bounded before rows are built, and every refusal named.

Each limit is tried at its edge on the API's own answer (lowered through its environment
variable, so the files stay small): at the limit the file lands, one past it the file is refused
by a ``LimitError`` naming the file, the place and the limit. Amounts too large for the
warehouse, control characters in cells and the API's error answer are refused by name too.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.core.errors import SourceError
from pipelines.core.limits import LimitError
from tests.publisher_files import (
    api_answer,
    api_records,
    detail_rows_2016,
    land_publisher_lines,
    raw_with_profiles,
    write_json_answer,
)

AMOUNT = "Y_YY_DFN_MEDI_KCUR_AMT"  # 국회확정, in 천원


def _records() -> list[dict]:
    return api_records(detail_rows_2016())


def _refused(tmp_path: Path, answer: object) -> tuple[Path, SourceError]:
    raw = raw_with_profiles(tmp_path)
    path = write_json_answer(raw, answer)
    with pytest.raises(SourceError) as error:
        land_publisher_lines(raw, [2016])
    assert error.value.file == str(path)
    return path, error.value


def _lands(tmp_path: Path, answer: object) -> list[tuple]:
    raw = raw_with_profiles(tmp_path)
    write_json_answer(raw, answer)
    return land_publisher_lines(raw, [2016])[0]


def _limited(monkeypatch: pytest.MonkeyPatch, name: str, value: int) -> None:
    monkeypatch.setenv(f"BND_LIMIT_{name}", str(value))


# --- keys per record ---------------------------------------------------------------------------


def test_a_record_with_as_many_keys_as_the_limit_lands(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "JSON_KEYS_PER_RECORD", len(_records()[0]))  # 13 keys
    assert len(_lands(tmp_path, api_answer(_records()))) == 16


def test_a_record_with_one_key_past_the_limit_is_refused(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "JSON_KEYS_PER_RECORD", len(_records()[0]) - 1)
    _, error = _refused(tmp_path, api_answer(_records()))
    assert isinstance(error, LimitError) and error.limit.name == "JSON_KEYS_PER_RECORD"
    assert (error.place, error.value) == ("record 1", 13)
    assert "BND_LIMIT_JSON_KEYS_PER_RECORD" in str(error)


def test_a_record_of_200_000_keys_is_refused_by_the_default_limit(tmp_path) -> None:
    records = _records()
    records[4] |= {f"K{number}": number for number in range(200_000)}
    _, error = _refused(tmp_path, api_answer(records))
    assert isinstance(error, LimitError) and error.limit.name == "JSON_KEYS_PER_RECORD"
    assert (error.place, error.value) == ("record 5", 200_013)


# --- distinct keys per file --------------------------------------------------------------------


def _with_extra_keys(extra: int) -> list[dict]:
    """The records, the last ``extra`` of them each with one key of its own (ignored columns)."""
    records = _records()
    for number in range(extra):
        records[-1 - number][f"EXTRA_{number}"] = "x"
    return records


def test_as_many_distinct_keys_as_the_limit_land(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "JSON_KEYS_PER_FILE", 13 + 2)
    assert len(_lands(tmp_path, api_answer(_with_extra_keys(2)))) == 16


def test_one_distinct_key_past_the_limit_is_refused(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "JSON_KEYS_PER_FILE", 13 + 1)
    records = _with_extra_keys(2)
    _, error = _refused(tmp_path, api_answer(records))
    assert isinstance(error, LimitError) and error.limit.name == "JSON_KEYS_PER_FILE"
    assert (error.place, error.value) == (f"records 1–{len(records)}", 15)


def test_a_key_bomb_of_40_000_records_is_refused_by_the_default_limit(tmp_path) -> None:
    records = [{f"key{number}": number} for number in range(40_000)]
    _, error = _refused(tmp_path, api_answer(records))
    assert isinstance(error, LimitError) and error.limit.name == "JSON_KEYS_PER_FILE"
    assert (error.place, error.value) == ("records 1–1001", 1_001)


# --- cells (records × keys), as a CSV's ------------------------------------------------------


def test_as_many_cells_as_the_table_limit_land(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "TABLE_CELLS", 10 * 13)
    assert len(_lands(tmp_path, api_answer(_records()))) == 16


def test_one_cell_past_the_table_limit_is_refused(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "TABLE_CELLS", 10 * 13 - 1)
    _, error = _refused(tmp_path, api_answer(_records()))
    assert isinstance(error, LimitError) and error.limit.name == "TABLE_CELLS"
    assert error.place == "whole file" and "(10 records × 13 keys)" in str(error)


# --- nesting -----------------------------------------------------------------------------------

# {service: [{head: [{RESULT: {…}}]}, {row: [{…}]}]}: six levels of brackets.
ANSWER_DEPTH = 6


def test_an_answer_as_deep_as_the_limit_lands(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "JSON_DEPTH", ANSWER_DEPTH)
    assert len(_lands(tmp_path, api_answer(_records()))) == 16


def test_an_answer_one_level_past_the_limit_is_refused(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "JSON_DEPTH", ANSWER_DEPTH - 1)
    _, error = _refused(tmp_path, api_answer(_records()))
    assert isinstance(error, LimitError) and error.limit.name == "JSON_DEPTH"
    assert (error.place, error.value) == ("line 1", ANSWER_DEPTH)


def test_brackets_inside_strings_are_not_nesting(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "JSON_DEPTH", ANSWER_DEPTH)
    records = _records()
    records[0]["BZ_CLS_NM"] = '[[[[{{{{ \\" ]]'  # an escaped quote does not end the string
    assert len(_lands(tmp_path, api_answer(records))) == 16


def test_200_000_nested_arrays_are_refused_by_the_default_limit(tmp_path) -> None:
    _, error = _refused(tmp_path, "[" * 200_000 + "]" * 200_000)
    assert isinstance(error, LimitError) and error.limit.name == "JSON_DEPTH"
    assert (error.place, error.value) == ("line 1", 200_000)


def test_nesting_inside_the_answer_s_json_string_is_bounded_too(tmp_path) -> None:
    # The API's body is sometimes a JSON text holding the JSON: decoded twice, bounded twice.
    _, error = _refused(tmp_path, json.dumps("\n" + "[" * 1_000 + "]" * 1_000))
    assert isinstance(error, LimitError) and error.limit.name == "JSON_DEPTH"
    assert error.place == "inside its JSON string, line 2"


# --- digits of a number ------------------------------------------------------------------------


def _longest_number(records: list[dict]) -> int:
    return max(len(str(value)) for record in records for value in record.values()
               if isinstance(value, int))  # fmt: skip


def test_a_number_of_as_many_digits_as_the_limit_lands(tmp_path, monkeypatch) -> None:
    _limited(monkeypatch, "JSON_NUMBER_DIGITS", _longest_number(_records()))
    assert len(_lands(tmp_path, api_answer(_records()))) == 16


def test_a_number_of_one_digit_past_the_limit_is_refused(tmp_path, monkeypatch) -> None:
    digits = _longest_number(_records())
    _limited(monkeypatch, "JSON_NUMBER_DIGITS", digits - 1)
    _, error = _refused(tmp_path, api_answer(_records()))
    assert isinstance(error, LimitError) and error.limit.name == "JSON_NUMBER_DIGITS"
    assert (error.place, error.value) == ("line 1", digits)


# --- amounts the warehouse cannot hold ---------------------------------------------------------

# decimal(18, 3) in KRW million holds 999,999,999,999,999.999 KRW million: that many 천원.
LARGEST_THOUSANDS = 999_999_999_999_999_999


def test_the_largest_amount_the_warehouse_holds_lands(tmp_path) -> None:
    records = _records()
    records[2][AMOUNT] = LARGEST_THOUSANDS
    amounts = {row[7] for row in _lands(tmp_path, api_answer(records))}
    assert max(amounts) == Decimal("999999999999999.999")


@pytest.mark.parametrize("amount", [LARGEST_THOUSANDS + 1, 10**20, 10**35])
def test_an_amount_past_the_warehouse_s_decimal_is_refused_by_record_and_column(
    tmp_path, amount: int
) -> None:
    records = _records()
    records[2][AMOUNT] = amount
    _, error = _refused(tmp_path, api_answer(records))
    assert error.place == f"record 3, column {AMOUNT}"
    assert error.found == repr(str(amount))
    assert "decimal(18, 3)" in error.expected


# --- control characters in cells -------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x85"])
def test_a_control_character_in_a_cell_is_refused_by_record_and_column(
    tmp_path, character: str
) -> None:
    records = _records()
    records[1]["SACTV_NM"] = f"합성{character}세부사업"
    # Saved escaped (\u0000, \u001b, \u0085), as JSON writes them: the file's text holds none.
    _, error = _refused(tmp_path, json.dumps(api_answer(records), ensure_ascii=True))
    assert error.place == "record 2, column SACTV_NM"
    assert error.found.startswith(f"a control character {character!r}")


def test_a_tab_in_a_cell_is_text(tmp_path) -> None:
    records = _records()
    records[1]["BZ_CLS_NM"] = "사업비\t(합성)"  # BZ_CLS_NM is not a column the profile reads
    assert len(_lands(tmp_path, api_answer(records))) == 16


def test_a_control_character_in_a_key_is_refused_in_the_header(tmp_path) -> None:
    records = _records()
    records[0]["NOTE\x00"] = "x"
    _, error = _refused(tmp_path, api_answer(records))
    assert error.place == "header, cell 14"


# --- the API's error answer --------------------------------------------------------------------

ERROR = {"CODE": "ERROR-300", "MESSAGE": "필수 값이 누락되어 있습니다."}


@pytest.mark.parametrize(
    "answer",
    [
        {"RESULT": ERROR},
        {"ExpenditureBudgetInit5": [{"head": [{"list_total_count": 0}, {"RESULT": ERROR}]}]},
    ],
    ids=["top level", "in the service's head"],
)
def test_the_api_s_error_answer_is_refused_with_its_code_and_message(tmp_path, answer) -> None:
    _, error = _refused(tmp_path, answer)
    assert error.place == "whole file"
    assert error.found.startswith(
        "an error answer of the API, not data: ERROR-300 '필수 값이 누락되어 있습니다.'"
    )


def test_a_lone_surrogate_in_a_cell_is_refused_by_record_and_column(tmp_path) -> None:
    records = _records()
    records[1]["SACTV_NM"] = "SURROGATE"
    text = json.dumps(api_answer(records)).replace("SURROGATE", "\\ud800")
    _, error = _refused(tmp_path, text)
    assert error.place == "record 2, column SACTV_NM"
    assert error.found.startswith("half of a surrogate pair, alone ('\\ud800')")


@pytest.mark.parametrize("answer", [[], api_answer([])], ids=["an empty list", "no rows"])
def test_an_answer_without_records_is_refused(tmp_path, answer) -> None:
    _, error = _refused(tmp_path, answer)
    assert (error.place, error.expected, error.found) == (
        "whole file",
        "records of budget lines",
        "none",
    )


def test_a_string_never_closed_is_scanned_once(tmp_path) -> None:
    # '"' then 200,000 escaped quotes and no end: a scan retrying from each quote would take hours.
    _, error = _refused(tmp_path, '["' + '\\"' * 200_000)
    assert error.place == "line 1, column 2"
    assert (error.expected, error.found) == ("JSON", "Unterminated string starting at")
