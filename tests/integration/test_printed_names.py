"""A file name holding a terminal's control sequence, or a newline and a forged line, is printed
escaped on the terminal and in the run's log: what a person reads is never the file's to write."""

from __future__ import annotations

from pathlib import Path

from pipelines.core.settings import Settings
from tests.integration.conftest import run_cli

FORGED_LINE = "149 checks: 149 passed, 0 warnings, 0 failed"
NAME = f"budget\x1bc\n{FORGED_LINE}.csv"


def test_a_hostile_file_name_is_shown_escaped_in_the_output_and_the_log(
    raw_copy: Path, tmp_path: Path
) -> None:
    (raw_copy / NAME).write_text("Account,2015\nTotal,1\n", encoding="utf-8")
    settings = Settings.at(raw_copy, tmp_path / "warehouse")

    completed = run_cli("run", settings, "--no-docs")

    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "budget\\x1bc\\n149 checks" in output  # named, as it is spelled
    assert "\x1b" not in output
    assert not any(line.startswith(FORGED_LINE) for line in output.splitlines())
    (log,) = (settings.build_dir / "logs").glob("run-*.log")
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "budget\\x1bc\\n149 checks" in text
    assert "\x1b" not in text, [line for line in text.splitlines() if "\x1b" in line][:3]
    assert not any(line.strip().startswith(FORGED_LINE) for line in text.splitlines())
