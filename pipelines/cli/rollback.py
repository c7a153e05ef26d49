"""``make rollback``: publish a kept build again, checked against its sha256."""

from __future__ import annotations

import sys

from pipelines.core.settings import Settings
from pipelines.lifecycle.history import RollbackError
from pipelines.lifecycle.history import rollback as roll_back
from pipelines.lifecycle.run_lock import RunLockedError


def rollback(to_build_id: str | None = None) -> int:
    """Publish the previous good kept build again (or the one named), atomically.

    Each kept build is checked against its recorded sha256 first: a corrupt one named with
    ``--to`` is refused (exit 1, one line naming it, nothing published); without ``--to`` corrupt
    or unreadable entries are skipped, one line each, for the newest good earlier build."""
    settings = Settings.from_env()
    try:
        rolled_back = roll_back(settings, to_build_id)
    except (RollbackError, RunLockedError) as error:
        print(f"error: {error}; nothing was published", file=sys.stderr)
        return 1
    for line in rolled_back.skipped:
        print(line)
    entry = rolled_back.entry
    meta = entry.record["meta_build"]
    print(f"rolled back: {settings.published_db} is now build {entry.build_id}")
    print(f"    built {meta.get('finished_at_utc')} UTC from code {meta.get('code_version')}")
    print(f"    sha256 {entry.sha256} (checked)")
    print(f"history: {settings.history_dir / 'manifest.json'}")
    return 0
