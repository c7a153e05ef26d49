"""``python -m pipelines run | prepare | docs`` (what ``make run``, ``make dev`` and ``make docs`` call)."""

import sys

from pipelines.cli import main

sys.exit(main())
