"""BI readers are never blocked: a reader querying continuously through ten refreshes.

The reader is a separate process that opens a new read-only connection for every query, as BI
tools with short-lived connections do. Each refresh publishes different figures (the 2020 Sejong
amount and Total move together, so the build passes its checks), so every answer can be matched
to exactly one build.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from pipelines.cli import execute_refresh
from pipelines.lib.settings import Settings
from tests.source_figures import PAGE_FILE, TOTALS

REFRESHES = 10
SEJONG_2020, TOTAL_2020 = 72808, TOTALS["bnd_special_account"][-1]

READER = """
import json, pathlib, sys, time, duckdb
published, stop, out = map(pathlib.Path, sys.argv[1:4])
with out.open("w") as log:
    while not stop.exists():
        try:
            with duckdb.connect(str(published), read_only=True) as con:
                answer = con.execute(
                    "select (select build_id from marts.meta_build), "
                    "(select sum(amount_krw_million) from marts.fct_budget "
                    " where fiscal_year = 2020)"
                ).fetchone()
            log.write(json.dumps({"build_id": answer[0], "total_2020": int(answer[1])}) + "\\n")
        except Exception as error:  # every error is a failure of the test
            log.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\\n")
        time.sleep(0.01)  # a dashboard's pace, not a busy loop that starves the refresh
"""


def with_sejong_2020_raised_by(raw: Path, original: str, amount: int) -> None:
    """The page with the 2020 Sejong amount and the 2020 Total both raised by ``amount``."""
    text = original.replace(f"103,496 {SEJONG_2020:,}", f"103,496 {SEJONG_2020 + amount:,}", 1)
    text = text.replace(f"10,748,531 {TOTAL_2020:,}", f"10,748,531 {TOTAL_2020 + amount:,}", 1)
    assert text.count(f"{SEJONG_2020 + amount:,}") == 1
    (raw / PAGE_FILE).write_text(text, encoding="utf-8")


def test_a_reader_sees_whole_builds_and_no_error_through_ten_refreshes(
    raw_copy: Path, warehouse_with_published: Path, tmp_path: Path
) -> None:
    settings = Settings.at(raw_copy, warehouse_with_published)
    original = (raw_copy / PAGE_FILE).read_text(encoding="utf-8")
    stop, answers_file = tmp_path / "stop", tmp_path / "answers.jsonl"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(READER),
            str(settings.published_db),
            str(stop),
            str(answers_file),
        ]
    )
    # build id → the 2020 total that build must answer; the first is the build already published.
    builds: dict[str, int] = {}
    try:
        for refresh in range(1, REFRESHES + 1):
            with_sejong_2020_raised_by(raw_copy, original, refresh * 1000)
            outcome = execute_refresh(settings)
            assert outcome.published, outcome.step_failures or outcome.failed_checks
            builds[outcome.published_metadata["build_id"]] = TOTAL_2020 + refresh * 1000
    finally:
        stop.touch()
        reader.wait(timeout=60)

    answers = [json.loads(line) for line in answers_file.read_text().splitlines()]
    errors = [answer["error"] for answer in answers if "error" in answer]
    assert errors == []
    first = answers[0]
    builds.setdefault(first["build_id"], TOTAL_2020)  # the build published before the refreshes
    assert first["total_2020"] == builds[first["build_id"]]
    wrong = [answer for answer in answers if builds.get(answer["build_id"]) != answer["total_2020"]]
    assert wrong == []
    seen = {answer["build_id"] for answer in answers}
    assert len(seen) >= REFRESHES // 2, f"the reader saw only {len(seen)} builds"
    assert len(answers) > 10 * REFRESHES
