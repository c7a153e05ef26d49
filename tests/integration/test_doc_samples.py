"""Samples of run output in the docs are what a real run of data_raw/ prints today.

A sample of a whole run is marked in its page by ``<!-- sample: make run of data_raw/ into a new
warehouse -->`` before its block; every summary sentence ("N checks: …") in README.md and docs/
describes a good build of data_raw/. Both are compared with the session's shared build (a real
``make run`` of the committed data_raw/ into a new warehouse), with what varies from run to run
made alike: times, build ids, folders. A count, a step, a mart added or gone makes a stale
sample fail here, naming the page and the line.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.core.settings import PROJECT_ROOT
from tests.integration.conftest import Build

MARKER = "<!-- sample: make run of data_raw/ into a new warehouse -->"
PAGES = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").rglob("*.md"))]
SUMMARY = re.compile(
    r"\d+ checks: \d+ passed, \d+ warnings, \d+ failed(?:; \d+ differences acknowledged)?"
)
STEP = re.compile(r"^  [a-z]+ {2,}\S")


def alike(line: str) -> str:
    """A printed line with what differs between two runs of the same inputs made alike."""
    line = re.sub(r"\b\d{8}T\d{6}Z-[0-9a-f]{8}\b", "<build>", line)
    line = re.sub(r"\b\d+(?:\.\d+)? s\b", "<s>", line)
    line = re.sub(r"\(\d+ %\)", "(<%>)", line)
    line = re.sub(r"(?:/[^\s/]+|/…)+/(warehouse/)", r"/…/\1", line)
    return " ".join(line.split())


def marked_samples(page: Path) -> list[tuple[int, list[str]]]:
    """Each marked sample of ``page``: the line its block starts on, and its lines."""
    lines = page.read_text(encoding="utf-8").splitlines()
    samples = []
    for number, line in enumerate(lines):
        if line.strip() != MARKER:
            continue
        start = next(i for i in range(number + 1, len(lines)) if lines[i].startswith("```"))
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
        samples.append((start + 1, lines[start + 1 : end]))
    return samples


def test_the_runbook_shows_a_run_as_a_run_of_data_raw_prints_it(published_build: Build) -> None:
    printed = [alike(line) for line in published_build.stdout.splitlines()]
    samples = [(page, start, sample) for page in PAGES for start, sample in marked_samples(page)]
    assert samples, f"no page marks a sample with {MARKER}"
    for page, start, sample in samples:
        where = f"{page.relative_to(PROJECT_ROOT)}, the sample at line {start}"
        shown = [alike(line) for line in sample if line.strip()]
        # every line of the sample, in the run's order
        position = 0
        for line in shown:
            assert line in printed[position:], f"{where}: no run prints {line!r} (after line "
            f"{position} of the run's output:\n{chr(10).join(printed)})"
            position = printed.index(line, position) + 1
        # and every step the run printed is in the sample
        steps = [line for line in published_build.stdout.splitlines() if STEP.match(line)]
        missing = [alike(line) for line in steps if alike(line) not in shown]
        assert not missing, f"{where}: the run also printed {missing}"


def test_every_summary_sentence_in_the_docs_is_today_s(published_build: Build) -> None:
    (today,) = {found for found in SUMMARY.findall(published_build.stdout)}
    stale = [
        f"{page.relative_to(PROJECT_ROOT)}: {sentence!r}"
        for page in PAGES
        for sentence in SUMMARY.findall(" ".join(page.read_text(encoding="utf-8").split()))
        if sentence != today
    ]
    assert not stale, f"a good build of data_raw/ prints {today!r}; the docs say {stale}"


def test_the_warehouse_page_lists_every_mart_of_the_published_file(published_build: Build) -> None:
    text = (PROJECT_ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    in_tables = set(re.findall(r"^\| `(?:marts\.)?([a-z_]+)` \|", text, flags=re.MULTILINE))
    with duckdb.connect(str(published_build.settings.published_db), read_only=True) as con:
        marts = {
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        }
    # meta_build, the row about the build, has a section of its own
    assert "`marts.meta_build`" in text
    assert marts - {"meta_build"} <= in_tables, f"not in docs/warehouse.md: {marts - in_tables}"
    listed_marts = {name for name in in_tables if name.startswith(("fct_", "dim_", "bridge_"))}
    assert listed_marts <= marts, (
        f"docs/warehouse.md lists marts the build has not: {listed_marts - marts}"
    )
