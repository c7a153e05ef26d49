"""The command line behind the Makefile: ``python -m pipelines run | prepare | docs | rollback``.

Each command lives in a module of its own, loaded when it is called (``COMMANDS``): a no-change
``make run`` or a rollback never pays for importing Dagster, dbt and GX.

- ``run`` (``cli.run``): build, audit, publish, or say the published build is up to date;
- ``prepare`` and ``docs`` (``cli.docs``): dbt's manifest, the dbt docs site;
- ``rollback`` (``cli.rollback``): publish a kept build again.
"""

from __future__ import annotations

import argparse
import importlib

from pipelines.core.env_file import load_env_file
from pipelines.core.errors import SourceError
from pipelines.core.settings import PROJECT_ROOT

# command → (module, function): imported only when that command runs.
COMMANDS = {
    "run": ("pipelines.cli.run", "run"),
    "prepare": ("pipelines.cli.docs", "prepare"),
    "docs": ("pipelines.cli.docs", "docs"),
    "rollback": ("pipelines.cli.rollback", "rollback"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__)
    parser.add_argument("command", choices=list(COMMANDS))
    parser.add_argument(
        "--to", metavar="BUILD_ID", help="rollback: the kept build to publish (default: previous)"
    )
    parser.add_argument(
        "--years",
        type=fiscal_year_span,
        metavar="YEAR[-YEAR]",
        help="run: reprocess the budget lines of these fiscal years only (default: full refresh)",
    )
    parser.add_argument(
        "--no-docs", action="store_true", help="run: do not write the dbt docs after publishing"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="run: build even when nothing changed since the published build",
    )
    args = parser.parse_args(argv)
    try:
        load_env_file(PROJECT_ROOT)
    except SourceError as error:
        print(f"error: {error}")
        return 2
    module, function = COMMANDS[args.command]
    command = getattr(importlib.import_module(module), function)
    if args.command == "rollback":
        return command(args.to)
    if args.command == "run":
        return command(years=args.years, with_docs=not args.no_docs, force=args.force)
    return command()


def fiscal_year_span(text: str) -> tuple[int, int]:
    """``2026`` or ``2020-2026`` → (first, last)."""
    first, _, last = text.partition("-")
    try:
        span = int(first), int(last or first)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected YEAR or YEAR-YEAR, found {text!r}") from error
    if span[0] > span[1]:
        raise argparse.ArgumentTypeError(f"the first year comes first: {text!r}")
    return span
