"""Dagster definitions, one folder per step of the flow: ingest → transform → quality → publish."""
