"""Small helpers shared by the tests."""

from __future__ import annotations

from pathlib import Path

from tests.source_figures import PAGE_FILE


def replace_in_page(raw_dir: Path, old: str, new: str) -> None:
    """Tamper with the copy of the page in ``raw_dir``: replace the first ``old`` by ``new``."""
    page = raw_dir / PAGE_FILE
    text = page.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in the page"
    page.write_text(text.replace(old, new, 1), encoding="utf-8")


def replace_in_registry(raw_dir: Path, old: str, new: str) -> None:
    """Tamper with the copy of ``sources.yml`` in ``raw_dir``: replace the first ``old``."""
    registry = raw_dir / "sources.yml"
    text = registry.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in the registry"
    registry.write_text(text.replace(old, new, 1), encoding="utf-8")


def page_entry(raw_dir: Path):
    """The registry entry of the page (the registry of data_raw/ lists other sources too)."""
    from pipelines.sources.registry import load_registry

    return next(source for source in load_registry(raw_dir) if source.file == PAGE_FILE)
