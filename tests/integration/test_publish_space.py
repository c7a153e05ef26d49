"""A disk too small to publish on changes nothing live, and says so in one line.

Everything publishing writes (exports, reports, the history copy) is written before its switch;
the free space for it is checked before any of it is written. The disks are real: tmpfs mounts
of a few dozen megabytes (the tests run as root, here and in CI), filled to the byte with a
file of the test's, and a build copied from the session's real one, vouched for by a build
record as if its run had ingested, built and audited it (``test_publishing.audited_build``).
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.core.checksums import file_sha256
from pipelines.core.faults import error_errno, folder_bytes, free_bytes
from pipelines.core.settings import PROJECT_ROOT, Settings
from pipelines.lifecycle import history, space
from pipelines.lifecycle.published_layout import builds_dir, current_link
from pipelines.lifecycle.publishing import publish_build
from pipelines.lifecycle.run_lock import release_run_lock
from tests.conftest import DATA_RAW
from tests.integration.conftest import Build, run_cli
from tests.integration.test_faults import one_error_line, remount, tmpfs
from tests.integration.test_publishing import audited_build

PAGE = 4096  # tmpfs allocates whole pages


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Settings]:
    """A warehouse on a 200 MB tmpfs holding one published build (and its history copy): room
    for a build of about 40 MB, its history copy, a second build's and its exports."""
    with tmpfs(tmp_path / "warehouse", "200m") as warehouse:
        settings = Settings.at(DATA_RAW, warehouse)
        yield settings
        release_run_lock(settings)


def publish_one(settings: Settings, template: Build, run_id: str) -> str:
    audited_build(settings, template, run_id)
    return publish_build(settings, run_id).meta["build_id"]


def leave_free(settings: Settings, target: int) -> Path:
    """Fill the warehouse's disk with a file of the test's until exactly ``target`` bytes are
    free (a multiple of the page size)."""
    filler = settings.warehouse_dir / "filler"
    free = free_bytes(settings.warehouse_dir)
    assert free is not None and free >= target and target % PAGE == 0
    with filler.open("wb") as handle:
        if free > target:
            os.posix_fallocate(handle.fileno(), 0, free - target)
    assert free_bytes(settings.warehouse_dir) == target
    return filler


def live_state(settings: Settings) -> tuple:
    """What readers and ``make rollback`` see: the published build and the kept ones."""
    return (
        os.readlink(current_link(settings)),
        file_sha256(settings.published_db),
        [entry.build_id for entry in history.entries(settings)],
        (settings.history_dir / history.MANIFEST).read_bytes(),
    )


def nothing_left_behind(settings: Settings) -> None:
    """A failed publish removed what it staged: no other build folder, no half copy."""
    current = os.readlink(current_link(settings))
    assert [path.name for path in builds_dir(settings).iterdir()] == [Path(current).name]
    assert not list(settings.history_dir.glob(".*")), list(settings.history_dir.iterdir())


def test_a_publish_short_of_space_is_refused_before_it_writes_and_fits_at_the_edge(
    small_disk: Settings, published_build: Build
) -> None:
    settings = small_disk
    first = publish_one(settings, published_build, "run-first")
    before = live_state(settings)
    audited_build(settings, published_build, "run-second")
    needs = space.needs_before_staging(settings)
    needed = sum(count for count, _ in needs.values()) + space.MARGIN_BYTES
    assert needed % PAGE == 0

    filler = leave_free(settings, needed - PAGE)  # one page short
    with pytest.raises(space.NotEnoughSpaceError) as refused:
        publish_build(settings, "run-second")
    message = str(refused.value)
    assert refused.value.errno == errno.ENOSPC
    assert f"not enough free space in {settings.warehouse_dir} to publish" in message
    assert f"need {needed:,} bytes, {needed - PAGE:,} bytes are free there" in message
    assert live_state(settings) == before
    nothing_left_behind(settings)
    assert not settings.build_export_dir.exists()  # refused before writing the exports

    filler.unlink()
    leave_free(settings, needed)  # exactly what the check asks for: enough for the real writes
    second = publish_build(settings, "run-second").meta["build_id"]
    assert [entry.build_id for entry in history.entries(settings)] == [second, first]
    assert file_sha256(settings.published_db) == history.entries(settings)[0].sha256


# Free space left when the publish starts (its check turned off), in each of its writes in
# turn: the build's metadata (nothing free), then, counted from what its checkpoint leaves free,
# the history copy of the database (a sliver, halfway), the exports and the report (halfway
# through them) and the history copy of the reports and exports (halfway through it). Each
# level is (share of the database's copy, share of the reports and exports).
FREE_LEVELS = ((0.005, 0), (0.5, 0), (1, 0.5), (1, 1.5))


def test_a_disk_that_fills_in_any_write_of_the_publish_changes_nothing_live(
    small_disk: Settings, published_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = small_disk
    publish_one(settings, published_build, "run-first")
    before = live_state(settings)
    # What a publish writes: a copy of the database into the history, the exports and reports,
    # then their copy into the history beside the database's. Its checkpoint first frees what
    # the staged file (a copy of the shared build) holds beyond the published one.
    published = settings.warehouse_dir / os.readlink(current_link(settings))
    database = settings.published_db.stat().st_blocks * 512
    rest = folder_bytes(published) - database
    freed = published_build.settings.published_db.stat().st_blocks * 512 - database
    monkeypatch.setattr(space, "check_space", lambda needs, margin=0: None)
    failures = set()
    levels = [0] + [int(d * database + r * rest) - freed for d, r in FREE_LEVELS]
    for number, level in enumerate(levels):
        run_id = f"run-{number}"
        audited_build(settings, published_build, run_id)
        free = max(0, level) // PAGE * PAGE
        filler = leave_free(settings, free)
        with pytest.raises(Exception) as failed:
            publish_build(settings, run_id)
            pytest.fail(f"published with {free:,} bytes free")
        assert error_errno(failed.value) == errno.ENOSPC, (free, failed.value)
        # The file it could not write, the build's own names made alike.
        failures.add(re.sub(r"\d+", "N", str(failed.value))[:400])
        filler.unlink()
        release_run_lock(settings)
        assert live_state(settings) == before, free
        nothing_left_behind(settings)
    # The disk filled in different writes, not always the same first one: the checkpoint, the
    # history copy of the database, the exports, the history copy of the rest.
    assert len(failures) >= 4, failures


def test_a_full_disk_during_the_dbt_build_is_named_in_one_line(tmp_path: Path) -> None:
    """20 MB: ingest fits, dbt's build does not (it truncates its own JSON first)."""
    with tmpfs(tmp_path / "warehouse", "20m") as warehouse:
        settings = Settings.at(DATA_RAW, warehouse)
        line = one_error_line(run_cli("run", settings, "--no-docs"))
        assert f"no space left on the filesystem of {warehouse}" in line, line
        assert f"Nothing was published: {settings.published_db} not created" in line


def same_shape(line: str, warehouse: Path) -> str:
    """``line`` with the warehouse's path and every number made alike, for comparing a sample
    with what a run printed."""
    line = line.replace(str(warehouse), "/mnt/wh")
    return re.sub(r"\d[\d,]*", "N", line)


def test_a_run_short_of_space_to_publish_says_the_folder_and_the_bytes(tmp_path: Path) -> None:
    """A disk on which the build fits but its publish does not (the history copy). The line is
    the runbook's sample, but for its numbers."""
    with tmpfs(tmp_path / "warehouse", "90m") as warehouse:
        settings = Settings.at(DATA_RAW, warehouse)
        line = one_error_line(run_cli("run", settings, "--no-docs"))
        assert f"error: not enough free space in {warehouse} to publish: " in line, line
        assert " bytes are free there: free space there or set BND_WAREHOUSE_DIR" in line
        assert f"Nothing was published: {settings.published_db} not created" in line
        assert not current_link(settings).exists()
    runbook = (PROJECT_ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
    (sample,) = [text for text in runbook.splitlines() if "not enough free space" in text]
    assert same_shape(sample, warehouse) == same_shape(line, warehouse)


def test_a_rollback_on_a_read_only_warehouse_is_one_line(
    small_disk: Settings, published_build: Build
) -> None:
    settings = small_disk
    publish_one(settings, published_build, "run-1")
    publish_one(settings, published_build, "run-2")
    release_run_lock(settings)
    before = live_state(settings)
    remount(settings.warehouse_dir, "ro")
    try:
        line = one_error_line(run_cli("rollback", settings))
    finally:
        remount(settings.warehouse_dir, "rw")
    assert "is on a read-only filesystem" in line, line
    assert f"Nothing was rolled back: {settings.published_db} is unchanged." in line
    assert live_state(settings) == before
