"""The fuzz test's count of inputs per reader, printed at the session's end in the long mode."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.fuzz import test_readers_fuzz as fuzz

    if not fuzz.LONG or not any(counts["tried"] for counts in fuzz.TRIED.values()):
        return  # the small budget of `make test`, or inputs tried in xdist workers
    terminalreporter.section("inputs tried per reader")
    terminalreporter.write_line(f"{'reader':16} {'tried':>8} {'read':>8} {'refused':>8}")
    for name, counts in fuzz.TRIED.items():
        terminalreporter.write_line(
            f"{name:16} {counts['tried']:>8,} {counts['read']:>8,} {counts['refused']:>8,}"
        )
