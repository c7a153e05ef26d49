"""Pure Python: parsers, file handling and settings. Nothing here imports Dagster."""
