"""BI readers are never blocked: a reader querying continuously through five publishes.

The reader is a separate process that opens a new read-only connection for every query, as BI
tools with short-lived connections do. Every publish carries different figures (the 2020 Sejong
amount raised by a different sum), so every answer can be matched to exactly one build.

The first publish is a whole refresh through the pipeline (the page's 2020 Sejong amount and
Total move together, so the build passes its checks). The other four are copies of that build
with the 2020 Sejong fact raised further, vouched for by a build record and published through
the same ``publish_build`` the pipeline's publish step calls (stage, assemble, switch, history):
what a reader can see of a refresh is only ever what publishing switches, so the reader meets
the real switch five times at the price of one pipeline run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

from pipelines.cli.refresh import execute_refresh
from pipelines.core.settings import Settings
from pipelines.lifecycle import build_record
from pipelines.lifecycle.build import start_build
from pipelines.lifecycle.publishing import publish_build
from pipelines.lifecycle.run_lock import release_run_lock
from tests.source_figures import PAGE_FILE, TOTALS

REFRESHES = 5
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
        log.flush()  # the test waits until the reader has seen each build
        time.sleep(0.01)  # a dashboard's pace, not a busy loop that starves the refresh
"""


def with_sejong_2020_raised_by(raw: Path, original: str, amount: int) -> None:
    """The page with the 2020 Sejong amount and the 2020 Total both raised by ``amount``."""
    text = original.replace(f"103,496 {SEJONG_2020:,}", f"103,496 {SEJONG_2020 + amount:,}", 1)
    text = text.replace(f"10,748,531 {TOTAL_2020:,}", f"10,748,531 {TOTAL_2020 + amount:,}", 1)
    assert text.count(f"{SEJONG_2020 + amount:,}") == 1
    (raw / PAGE_FILE).write_text(text, encoding="utf-8")


def publish_variant(settings: Settings, template: Path, run_id: str, raise_by: int) -> str:
    """Publish a copy of ``template`` with its 2020 Sejong fact raised by ``raise_by``, through
    the publish step's own code; returns the new build's id."""
    start_build(settings, run_id)  # the run lock, and what a run clears before it builds
    shutil.copyfile(template, settings.build_db)
    with duckdb.connect(str(settings.build_db)) as con:
        changed = con.execute(
            """update marts.fct_budget set amount_krw_million = amount_krw_million + $amount
               where fiscal_year = 2020 and account_code = 'sejong'""",
            {"amount": raise_by},
        ).fetchone()
    assert changed == (1,)
    for step in build_record.STEPS[build_record.FULL]:
        build_record.mark_passed(settings, run_id, step)
    try:
        return publish_build(settings, run_id).meta["build_id"]
    finally:
        release_run_lock(settings)


def wait_until_seen(answers_file: Path, build_id: str, timeout_s: float = 120) -> None:
    """Until the reader has answered from ``build_id`` (so it meets every build)."""
    deadline = time.monotonic() + timeout_s
    while f'"build_id": "{build_id}"' not in answers_file.read_text():
        assert time.monotonic() < deadline, f"the reader never saw build {build_id}"
        time.sleep(0.02)


def test_a_reader_sees_whole_builds_and_no_error_through_five_refreshes(
    raw_copy: Path, warehouse_with_published: Path, tmp_path: Path
) -> None:
    settings = Settings.at(raw_copy, warehouse_with_published)
    original = (raw_copy / PAGE_FILE).read_text(encoding="utf-8")
    stop, answers_file = tmp_path / "stop", tmp_path / "answers.jsonl"
    template = tmp_path / "refreshed.duckdb"
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
        # Refresh 1: the whole pipeline, while the reader reads.
        with_sejong_2020_raised_by(raw_copy, original, 1000)
        outcome = execute_refresh(settings)
        assert outcome.published, outcome.step_failures or outcome.failed_checks
        build_id = outcome.published_metadata["build_id"]
        builds[build_id] = TOTAL_2020 + 1000
        wait_until_seen(answers_file, build_id)
        shutil.copyfile(settings.published_db, template)
        # Refreshes 2–5: the refreshed build with other figures, through the publish step.
        for refresh in range(2, REFRESHES + 1):
            run_id = f"{refresh:02d}reader"  # build ids keep 8 characters of it
            build_id = publish_variant(settings, template, run_id, (refresh - 1) * 1000)
            builds[build_id] = TOTAL_2020 + refresh * 1000
            wait_until_seen(answers_file, build_id)
    finally:
        stop.touch()
        reader.wait(timeout=60)

    assert len(builds) == REFRESHES
    answers = [json.loads(line) for line in answers_file.read_text().splitlines()]
    errors = [answer["error"] for answer in answers if "error" in answer]
    assert errors == []
    first = answers[0]
    builds.setdefault(first["build_id"], TOTAL_2020)  # the build published before the refreshes
    assert first["total_2020"] == builds[first["build_id"]]
    wrong = [answer for answer in answers if builds.get(answer["build_id"]) != answer["total_2020"]]
    assert wrong == []
    seen = {answer["build_id"] for answer in answers}
    assert seen == set(builds), "the reader missed a build"
    assert len(answers) > 10 * REFRESHES
