"""What an ingest step reports to Dagster for each raw table it landed."""

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import dagster as dg


def landed_tables(
    tables: Iterable[str], counts: Mapping[str, int], files: Mapping[str, str], build_db: Path
) -> Iterator[dg.MaterializeResult]:
    """One materialization per ``raw.<table>``: rows, files (name → sha256) and the build file."""
    for table in tables:
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={
                "dagster/row_count": counts[table],
                "source_files": dg.MetadataValue.json(dict(files)),
                "build_db": str(build_db),
            },
        )
