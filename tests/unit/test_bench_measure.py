"""The benchmark's measurement (whole process tree) and its baseline script (the page's figures)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from bench import baseline
from bench.generate import generate
from bench.measure import CommandFailed, measure
from tests.source_figures import LEAVES, YEARS

MIB = 2**20

# The grandchild holds 200 MiB; its parent does not wait for it, so only sampling the process
# tree sees that memory (the kernel's ru_maxrss of the reaped child would not include it). The
# parent waits until the grandchild says its memory is written, then keeps the tree alive for a
# second (50 sampling intervals) and exits while the grandchild still holds it: no race on a
# loaded machine between the grandchild's start-up and the parent's exit.
TREE_SCRIPT = """
import os, subprocess, sys, time
child = subprocess.Popen(
    [sys.executable, "-c",
     "import sys, time; b = b'x' * (200 << 20); print('ready', flush=True); time.sleep(3)"],
    stdout=subprocess.PIPE,
)
assert child.stdout.readline().strip() == b"ready"
time.sleep(1.0)
os._exit(0)
"""


def test_measure_counts_descendants_and_wall_time() -> None:
    seconds, peak_bytes, returncode = measure([sys.executable, "-c", TREE_SCRIPT])
    assert returncode == 0
    assert seconds >= 1.0
    assert peak_bytes >= 200 * MIB


def test_measure_raises_with_the_tail_of_the_output() -> None:
    script = "print('first'); print('the last words'); raise SystemExit(3)"
    with pytest.raises(CommandFailed, match=r"exited with 3(.|\n)*the last words"):
        measure([sys.executable, "-c", script])


def test_baseline_gives_the_page_figures(tmp_path: Path) -> None:
    raw = generate(5_000, tmp_path / "data")["csv"]
    db = tmp_path / "baseline.duckdb"
    baseline.run(raw, db, tmp_path / "export", "csv")
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """
            select account_code, level_code, amount_krw_million
            from marts.mart_budget_by_account_level
            where fiscal_year = 2018 and phase = 'enacted'
            """
        ).fetchall()
    found = {(account, level): amount for account, level, amount in rows}
    expected = {key: amounts[YEARS.index(2018)] for key, amounts in LEAVES.items()}
    assert found == expected
    assert (tmp_path / "export" / "fct_budget_line" / "fiscal_year=2018").is_dir()


def test_baseline_rejects_a_bad_amount_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = generate(5_000, tmp_path / "data")["csv"]
    bad = raw / "budget_lines" / "2010" / "synthetic_budget_lines.csv"
    lines = bad.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[6].split('"')
    cells[1] = "12x4"  # the quoted amount of the file's 7th line
    lines[6] = '"'.join(cells)
    bad.write_text("".join(lines), encoding="utf-8")
    argv = ["--raw", str(raw), "--db", str(tmp_path / "b.duckdb"), "--export", str(tmp_path / "x")]
    assert baseline.main(argv) != 0
    error = capsys.readouterr().err
    assert f"{bad}, line 7:" in error
    assert '"12x4"' in error
