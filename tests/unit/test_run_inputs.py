"""What a build was made from, and when a run may say "up to date" (``lifecycle.run_inputs``)."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.lifecycle.build_meta import code_fingerprint
from pipelines.lifecycle.run_inputs import (
    current_inputs,
    inputs_changed,
    inputs_of_fiscal_years_build,
    read_run_inputs,
    write_run_inputs,
)


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "data_raw"
    (raw / "budget_lines" / "2025").mkdir(parents=True)
    (raw / "budget_lines" / "2026").mkdir(parents=True)
    (raw / "sources.yml").write_text("sources: []\n", encoding="utf-8")
    (raw / "page.txt").write_text("page\n", encoding="utf-8")
    (raw / "README.md").write_text("not an input\n", encoding="utf-8")
    (raw / "budget_lines" / "2025" / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (raw / "budget_lines" / "2026" / "a.csv").write_text("x\n2\n", encoding="utf-8")
    return raw


def test_the_same_files_and_code_are_unchanged_and_every_input_counts(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    recorded = current_inputs(raw)
    assert sorted(recorded["data_raw"]) == [
        "budget_lines/2025/a.csv",
        "budget_lines/2026/a.csv",
        "page.txt",
        "sources.yml",
    ]
    assert inputs_changed(recorded, current_inputs(raw, recorded)) == []
    (raw / "README.md").write_text("edited documentation\n", encoding="utf-8")
    assert inputs_changed(recorded, current_inputs(raw, recorded)) == []

    (raw / "sources.yml").write_text("sources: [] # a registry edit\n", encoding="utf-8")
    assert inputs_changed(recorded, current_inputs(raw, recorded)) == [
        "data_raw/ (1 file(s): sources.yml)"
    ]


def test_content_decides_not_the_modification_time(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    recorded = current_inputs(raw)
    page = raw / "page.txt"
    os.utime(page, ns=(1, 1))  # touched: hashed again, same bytes
    assert inputs_changed(recorded, current_inputs(raw, recorded)) == []
    page.write_text("pagf\n", encoding="utf-8")  # same size, new bytes
    os.utime(page, ns=(2, 2))
    assert inputs_changed(recorded, current_inputs(raw, recorded)) == [
        "data_raw/ (1 file(s): page.txt)"
    ]


def test_added_and_removed_files_and_the_code_are_changes(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    recorded = current_inputs(raw)
    (raw / "budget_lines" / "2026" / "a.csv").unlink()
    (raw / "new.csv").write_text("y\n", encoding="utf-8")
    current = current_inputs(raw, recorded)
    assert inputs_changed(recorded, current) == [
        "data_raw/ (2 file(s): budget_lines/2026/a.csv, new.csv)"
    ]
    other_code = {**current, "code": "0" * 64}
    assert inputs_changed({**recorded, "data_raw": current["data_raw"]}, other_code) == [
        "the code (pipelines/, dbt_project/, expectations/, uv.lock or limits)"
    ]


def test_a_build_without_recorded_inputs_is_never_up_to_date(tmp_path: Path) -> None:
    current = current_inputs(_raw(tmp_path))
    assert inputs_changed(None, current) == [
        "the published build records no inputs to compare with"
    ]
    assert inputs_changed({"data_raw": current["data_raw"]}, current) != []


def test_the_code_fingerprint_follows_sources_and_limits(tmp_path: Path, monkeypatch) -> None:
    for folder in ("pipelines", "dbt_project/models", "dbt_project/target", "expectations"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "pipelines" / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "dbt_project" / "models" / "m.sql").write_text("select 1\n", encoding="utf-8")
    (tmp_path / "uv.lock").write_text("lock\n", encoding="utf-8")
    before = code_fingerprint(tmp_path)
    (tmp_path / "dbt_project" / "target" / "manifest.json").write_text("{}", encoding="utf-8")
    assert code_fingerprint(tmp_path) == before  # dbt's output is not code
    (tmp_path / "dbt_project" / "models" / "m.sql").write_text("select 2\n", encoding="utf-8")
    edited = code_fingerprint(tmp_path)
    assert edited != before
    monkeypatch.setenv("BND_LIMIT_FILE_BYTES", "1000")
    assert code_fingerprint(tmp_path) != edited


def test_a_fiscal_years_build_records_the_base_with_those_years_as_they_are(
    tmp_path: Path,
) -> None:
    raw = _raw(tmp_path)
    base = current_inputs(raw)
    (raw / "budget_lines" / "2025" / "a.csv").write_text("x\n10\n", encoding="utf-8")
    (raw / "budget_lines" / "2026" / "a.csv").write_text("x\n20\n", encoding="utf-8")
    current = current_inputs(raw, base)
    built = inputs_of_fiscal_years_build(base, current, [2026])
    assert built is not None
    # 2026 was reprocessed, 2025 was not: the build still holds 2025 as it was.
    assert (
        built["data_raw"]["budget_lines/2026/a.csv"]
        == current["data_raw"]["budget_lines/2026/a.csv"]
    )
    assert (
        built["data_raw"]["budget_lines/2025/a.csv"] == base["data_raw"]["budget_lines/2025/a.csv"]
    )
    assert inputs_changed(built, current) == ["data_raw/ (1 file(s): budget_lines/2025/a.csv)"]
    both = inputs_of_fiscal_years_build(base, current, [2025, 2026])
    assert inputs_changed(both, current) == []
    # Over other code, what the base holds came from that code: no inputs to vouch for.
    assert inputs_of_fiscal_years_build({**base, "code": "0" * 64}, current, [2026]) is None
    assert inputs_of_fiscal_years_build(None, current, [2026]) is None


def test_the_run_inputs_reach_only_the_run_tagged_with_them(tmp_path: Path) -> None:
    inputs = {"data_raw": {}, "code": "c"}
    tag = write_run_inputs(tmp_path, inputs)
    assert read_run_inputs(tmp_path, tag) == inputs
    assert read_run_inputs(tmp_path, None) is None  # a run from the UI records none
    write_run_inputs(tmp_path, {"data_raw": {}, "code": "other"})  # another run's file
    assert read_run_inputs(tmp_path, tag) is None
    assert write_run_inputs(tmp_path, None) is None
