"""dbt's event lines made only for a log that keeps them.

dbt hands every event (every SQL statement, every connection opened, at debug level) to each of
its logs, and each log first writes the event as a JSON line (the event as a dict, ``json.dumps``,
then a regex over the line for secrets) and only then gives it to a Python logger that drops it
below its level. The build's dbt command keeps one log, its output at info level (dagster-dbt
reads it), so of a seed-size build's 4,532 event lines 4,104 were made to be dropped.

``write_only_kept_lines`` makes dbt's logs ask their Python logger first, the question that logger
asks itself right after: an event it would drop is not written as a line; every other event is
written and sent exactly as before (dbt's print events go out at error level, as dbt sends them).
It relies on the private ``dbt_common.events.logger``: ``_Logger.write_line``, ``_python_logger``,
``_log_level_map`` and ``_is_print_event`` (``tests/unit/test_platform_contracts.py``).

Measured in a seed-size build's dbt command (``dbt_command.py build``, one thread, 5 runs): the
4,104 lines its output dropped took 0.84–1.05 s of the process's 9.3–12.4 s of CPU
(``docs/bench.md``, "dbt's event lines").
"""

from __future__ import annotations


def write_only_kept_lines() -> None:
    """Make every dbt log skip the events its Python logger would drop (idempotent)."""
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.logger import _is_print_event, _log_level_map, _Logger

    if getattr(_Logger.write_line, "only_kept_lines", False):
        return
    write_line = _Logger.write_line

    def write_kept_line(self: _Logger, msg) -> None:  # type: ignore[no-untyped-def]
        logger = self._python_logger
        dropped = (
            logger is not None
            and not _is_print_event(msg)
            and not logger.isEnabledFor(_log_level_map[EventLevel(msg.info.level)])
        )
        if not dropped:
            write_line(self, msg)

    write_kept_line.only_kept_lines = True  # type: ignore[attr-defined]
    _Logger.write_line = write_kept_line  # type: ignore[method-assign]
