"""What each shim of ``pipelines/platform/`` relies on, still there in the installed versions.

The shims use private parts of Dagster, dagster-dbt, dbt and Python, which an upgrade may change
without notice: then the shim stops working, often silently (an override of a renamed member is
never called). Each test here fails by the shim's name and the version it was written against.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import platform
import sqlite3
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import pytest

# The versions the shims were written against (pyproject.toml / uv.lock).
WRITTEN_AGAINST = {
    "python": "3.11",
    "dagster": "1.13.27",
    "dagster-dbt": "0.29.27",
    "dagster-webserver": "1.13.27",
    "dagster-shared": "1.13.27",
    "dbt-core": "1.11.16",
    "dbt-common": "1.39.0",
    "sqlalchemy": "2.1.9",
}


def installed(package: str) -> str:
    return platform.python_version() if package == "python" else version(package)


def broken(shim: str, package: str, what: str) -> str:
    """The assertion message: which shim, written against which version, and what changed."""
    return (
        f"shim {shim} was written against {package} {WRITTEN_AGAINST[package]} (installed: "
        f"{installed(package)}): {what}. Adapt the shim or replace it by a public API."
    )


# --- platform/process_exit.py ------------------------------------------------------------------

EXIT = "process_exit.exit_after_cleanup / exit_without_teardown"


def test_process_exit_relies_on_atexit_run_exitfuncs_and_os_exit() -> None:
    import atexit
    import os

    assert callable(getattr(atexit, "_run_exitfuncs", None)), broken(
        EXIT, "python", "atexit._run_exitfuncs() is gone"
    )
    assert callable(getattr(os, "_exit", None)), broken(EXIT, "python", "os._exit is gone")


def test_process_exit_runs_the_atexit_handlers_it_is_given(tmp_path: Path) -> None:
    """In a child process: a handler registered with ``atexit`` runs, the exit code is kept."""
    import subprocess
    import sys

    marker = tmp_path / "handler_ran"
    script = (
        "import atexit, pathlib\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).touch)\n"
        "from pipelines.platform.process_exit import exit_after_cleanup\n"
        "exit_after_cleanup(3)\n"
    )
    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run([sys.executable, "-c", script], cwd=root, timeout=60)
    assert completed.returncode == 3, broken(EXIT, "python", "the exit code was not kept")
    assert marker.exists(), broken(EXIT, "python", "atexit._run_exitfuncs() ran no handler")


# --- platform/dagster_storage.py ---------------------------------------------------------------

STORAGE = "dagster_storage.run_history_kept_open"


def test_run_history_shim_finds_dagsters_sqlite_event_log() -> None:
    try:
        from dagster._core.storage.event_log.sqlite import sqlite_event_log
    except ImportError as error:
        pytest.fail(broken(STORAGE, "dagster", f"the SQLite event log module moved: {error}"))
    storage = getattr(sqlite_event_log, "SqliteEventLogStorage", None)
    assert inspect.isclass(storage), broken(STORAGE, "dagster", "SqliteEventLogStorage is gone")
    assert getattr(sqlite_event_log, "INDEX_SHARD_NAME", None) == "index", broken(
        STORAGE, "dagster", "INDEX_SHARD_NAME is no longer 'index'"
    )
    parameters = list(inspect.signature(storage.path_for_shard).parameters)
    assert parameters == ["self", "run_id"], broken(
        STORAGE, "dagster", f"SqliteEventLogStorage.path_for_shard takes {parameters}"
    )
    from dagster import DagsterInstance

    for member in ("event_log_storage", "root_directory"):
        assert isinstance(inspect.getattr_static(DagsterInstance, member, None), property), broken(
            STORAGE, "dagster", f"DagsterInstance.{member} is no longer a property"
        )


def test_run_history_shim_listens_to_sqlalchemys_connect_event_on_every_engine() -> None:
    from sqlalchemy import create_engine
    from sqlalchemy import event as sqlalchemy_event
    from sqlalchemy.engine import Engine
    from sqlalchemy.events import PoolEvents

    parameters = list(inspect.signature(PoolEvents.connect).parameters)
    assert parameters == ["self", "dbapi_connection", "connection_record"], broken(
        STORAGE, "sqlalchemy", f"PoolEvents.connect takes {parameters}"
    )
    seen: list[object] = []

    def listener(connection, _record) -> None:
        seen.append(connection)

    sqlalchemy_event.listen(Engine, "connect", listener)
    try:
        with create_engine("sqlite://").connect():
            pass
    finally:
        sqlalchemy_event.remove(Engine, "connect", listener)
    assert seen and isinstance(seen[0], sqlite3.Connection), broken(
        STORAGE, "sqlalchemy", "a 'connect' listener on Engine no longer sees sqlite3 connections"
    )


def test_run_history_shim_relaxes_the_run_historys_connections_only_during_the_run(
    tmp_path: Path,
) -> None:
    """Dagster's own SQLite storage, through the shim: its connections of a run commit with
    ``synchronous=NORMAL`` (1) during the run, FULL (2, SQLite's default) again after it."""
    from dagster import DagsterInstance

    from pipelines.platform.dagster_storage import run_history_kept_open

    def synchronous(instance: DagsterInstance, run_id: str) -> int:
        with instance.event_log_storage.run_connection(run_id) as connection:
            return connection.exec_driver_sql("pragma synchronous").scalar()

    home = tmp_path / "home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        run_id = "0" * 8 + "-0000-0000-0000-" + "0" * 12
        with run_history_kept_open(instance, run_id):
            during = synchronous(instance, run_id)
        after = synchronous(instance, run_id)
    assert (during, after) == (1, 2), broken(
        STORAGE, "dagster", f"synchronous was {during} during the run and {after} after it"
    )


def test_run_history_shim_makes_its_connections_as_dagsters_sqlite_event_log_does() -> None:
    """The members ``_connect_with_kept_engines`` stands in for or calls: ``_connect(shard)``,
    ``_initdb(engine)``, ``conn_string_for_shard(shard)`` and the busy timeout."""
    from dagster._core.storage import sqlite as dagster_sqlite
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    for member, expected in (
        ("_connect", ["self", "shard"]),
        ("_initdb", ["self", "engine", "for_index_shard"]),
        ("conn_string_for_shard", ["self", "shard_name"]),
    ):
        function = vars(SqliteEventLogStorage).get(member)
        assert inspect.isfunction(function), broken(
            STORAGE, "dagster", f"SqliteEventLogStorage.{member} is no longer a method of its own"
        )
        parameters = list(inspect.signature(function).parameters)
        assert parameters == expected, broken(
            STORAGE, "dagster", f"SqliteEventLogStorage.{member} takes {parameters}"
        )
    timeout = getattr(dagster_sqlite, "SQLITE_BUSY_TIMEOUT_SECONDS", None)
    assert isinstance(timeout, int), broken(STORAGE, "dagster", "SQLITE_BUSY_TIMEOUT_SECONDS moved")


def test_run_history_shim_keeps_one_engine_per_file_for_the_run_only(tmp_path: Path) -> None:
    """Through the shim, a run's connections share one engine per file (Dagster's lock and its
    set of initialised files still used); after the run the storage makes its own again."""
    from dagster import DagsterInstance

    from pipelines.platform.dagster_storage import run_history_kept_open

    def engine_of(storage, run_id: str) -> object:
        with storage.run_connection(run_id) as connection:
            assert connection.exec_driver_sql("select 1").scalar() == 1
            return connection.engine

    home = tmp_path / "home"
    home.mkdir()
    run_id = "1" * 8 + "-0000-0000-0000-" + "0" * 12
    with DagsterInstance.local_temp(str(home)) as instance:
        storage = instance.event_log_storage
        assert hasattr(storage._db_lock, "__enter__"), broken(
            STORAGE, "dagster", "SqliteEventLogStorage has no _db_lock"
        )
        assert isinstance(storage._initialized_dbs, set), broken(
            STORAGE, "dagster", "SqliteEventLogStorage._initialized_dbs is no longer a set"
        )
        with run_history_kept_open(instance, run_id):
            during = [engine_of(storage, run_id) for _ in range(2)]
            assert run_id in storage._initialized_dbs
        after = [engine_of(storage, run_id) for _ in range(2)]
        assert "_connect" not in vars(storage)
    assert during[0] is during[1], broken(STORAGE, "dagster", "a new engine for each connection")
    assert after[0] is not after[1] and during[0] not in after


# --- platform/dbt_cli.py -----------------------------------------------------------------------

DBT_CLI = "dbt_cli.LocalDbtCliResource"


def test_dbt_cli_shim_overrides_members_dagster_dbt_still_has_and_uses() -> None:
    from dagster_dbt import DbtCliResource

    from pipelines.platform.dbt_cli import LocalDbtCliResource

    member = vars(DbtCliResource).get("_cli_version")
    assert isinstance(member, cached_property), broken(
        DBT_CLI, "dagster-dbt", "DbtCliResource._cli_version is no longer a cached_property"
    )
    assert isinstance(vars(LocalDbtCliResource).get("_cli_version"), cached_property)
    adapter = vars(DbtCliResource).get("_initialize_dbt_core_adapter")
    assert inspect.isfunction(adapter), broken(
        DBT_CLI, "dagster-dbt", "DbtCliResource._initialize_dbt_core_adapter is no longer a method"
    )
    parameters = list(inspect.signature(adapter).parameters)
    assert parameters == ["self", "args"], broken(
        DBT_CLI, "dagster-dbt", f"_initialize_dbt_core_adapter takes {parameters}"
    )
    own = inspect.signature(LocalDbtCliResource._initialize_dbt_core_adapter).parameters
    assert list(own) == parameters
    source = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in source, broken(
        DBT_CLI, "dagster-dbt", "DbtCliResource.cli no longer reads self._cli_version"
    )
    assert "self._initialize_dbt_core_adapter(args)" in source, broken(
        DBT_CLI,
        "dagster-dbt",
        "DbtCliResource.cli no longer makes its adapter through "
        "self._initialize_dbt_core_adapter(args)",
    )


def test_dbt_cli_shim_knows_the_installed_dbt_core_version_without_a_subprocess(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess

    from dagster_dbt.core import resource as dagster_dbt_resource

    from pipelines.defs.transform.project import bnd_dbt_project
    from pipelines.platform.dbt_cli import LocalDbtCliResource

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"unexpected subprocess {args}")

    monkeypatch.setattr(subprocess, "check_output", no_subprocess)
    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess, raising=False)
    resource = LocalDbtCliResource(project_dir=bnd_dbt_project)
    known = resource._cli_version
    assert str(known) == version("dbt-core"), broken(
        DBT_CLI, "dbt-core", f"the resource reports dbt {known}"
    )
    assert known.major < 2  # dagster-dbt reads events as dbt-core's, not Fusion's
    assert resource._initialize_dbt_core_adapter(["build"]) is None  # no adapter, no dbt import


# --- platform/dbt_parse_state.py ---------------------------------------------------------------

PARSE_STATE = "dbt_parse_state.load_parse_state"


def test_parse_state_shim_finds_dbts_msgpack_decoder_and_manifest_loader() -> None:
    try:
        from dbt.parser.manifest import extended_mashumuro_decoder
    except ImportError as error:
        pytest.fail(broken(PARSE_STATE, "dbt-core", f"extended_mashumuro_decoder: {error}"))
    from dbt.cli.main import dbtRunner
    from dbt.contracts.graph.manifest import Manifest

    assert list(inspect.signature(extended_mashumuro_decoder).parameters) == ["data"], broken(
        PARSE_STATE, "dbt-core", "extended_mashumuro_decoder no longer takes (data)"
    )
    assert "decoder" in inspect.signature(Manifest.from_msgpack).parameters, broken(
        PARSE_STATE, "dbt-core", "Manifest.from_msgpack no longer accepts decoder="
    )
    for method in ("build_parent_and_child_maps", "build_flat_graph"):
        assert callable(getattr(Manifest, method, None)), broken(
            PARSE_STATE, "dbt-core", f"Manifest.{method} is gone"
        )
    assert "manifest" in inspect.signature(dbtRunner).parameters, broken(
        PARSE_STATE, "dbt-core", "dbtRunner no longer accepts manifest="
    )


def test_parse_state_shim_reads_back_what_dbt_writes() -> None:
    """A manifest written the way dbt writes ``partial_parse.msgpack`` loads back through the
    shim (``tests/integration/test_dbt_parse_state.py`` runs builds from the project's own)."""
    import tempfile

    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumaro_encoder

    from pipelines.platform.dbt_parse_state import load_parse_state

    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / "partial_parse.msgpack"
        state.write_bytes(Manifest().to_msgpack(extended_mashumaro_encoder))
        loaded = load_parse_state(state)
    assert isinstance(loaded, Manifest), broken(PARSE_STATE, "dbt-core", "no manifest loaded")


# --- platform/dbt_events.py --------------------------------------------------------------------

EVENTS = "dbt_events.write_only_kept_lines"


def test_dbt_events_shim_finds_dbts_log_writer_and_its_levels() -> None:
    from dbt_common.events import logger
    from dbt_common.events.base_types import EventLevel

    for name in ("_Logger", "_log_level_map", "_is_print_event"):
        assert hasattr(logger, name), broken(EVENTS, "dbt-common", f"logger.{name} is gone")
    assert set(logger._log_level_map) == set(EventLevel), broken(
        EVENTS, "dbt-common", "_log_level_map no longer maps every EventLevel"
    )
    source = inspect.getsource(logger._Logger.write_line)
    for needed in ("self.create_line(msg)", "self._python_logger", "_is_print_event(msg)"):
        assert needed in source, broken(
            EVENTS, "dbt-common", f"_Logger.write_line no longer uses {needed}"
        )


def _log_lines(level: str, *events) -> tuple[str, int]:
    """What a JSON log at ``level`` writes of ``events``, and how many lines it made."""
    import io

    from dbt_common.events.base_types import EventLevel, msg_from_base_event
    from dbt_common.events.logger import LineFormat, LoggerConfig, _JsonLogger

    stream = io.StringIO()
    log = _JsonLogger(
        LoggerConfig(
            name=f"contract_{level}",
            line_format=LineFormat.Json,
            level=EventLevel(level),
            output_stream=stream,
        )
    )
    made = 0
    create_line = log.create_line

    def counted(msg):  # type: ignore[no-untyped-def]
        nonlocal made
        made += 1
        return create_line(msg)

    log.create_line = counted  # type: ignore[method-assign]
    for event in events:
        log.write_line(msg_from_base_event(event))
    return stream.getvalue(), made


def test_dbt_events_shim_writes_what_dbt_wrote_and_makes_no_line_it_drops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dbt_common.events.logger import _Logger
    from dbt_common.events.types import Note, PrintEvent, SystemExecutingCmd

    from pipelines.platform.dbt_events import write_only_kept_lines

    events = (SystemExecutingCmd(cmd=["debug"]), Note(msg="info"), PrintEvent(msg="printed"))
    before = {level: _log_lines(level, *events) for level in ("debug", "info", "error")}
    monkeypatch.setattr(_Logger, "write_line", _Logger.write_line)  # restored after the test
    write_only_kept_lines()
    write_only_kept_lines()  # a second call changes nothing
    after = {level: _log_lines(level, *events) for level in ("debug", "info", "error")}

    def texts(lines: str) -> list[str]:
        return [json.loads(line)["info"]["msg"] for line in lines.splitlines()]

    assert {level: texts(out) for level, (out, _) in before.items()} == {
        "debug": ['Executing "debug"', "info", "printed"],
        "info": ["info", "printed"],
        "error": ["printed"],  # dbt's print events are sent at error level
    }
    for level in before:
        assert texts(after[level][0]) == texts(before[level][0]), broken(
            EVENTS, "dbt-common", f"a log at {level} writes other events with the shim"
        )
    assert {level: made for level, (_, made) in before.items()} == dict.fromkeys(before, 3)
    made = {level: made for level, (_, made) in after.items()}
    assert made == {"debug": 3, "info": 2, "error": 1}


# --- platform/webserver.py ---------------------------------------------------------------------

WEBSERVER = "webserver.webserver_app"
DAEMON = "webserver.start_daemon"


def test_webserver_shim_builds_the_workspace_as_it_did() -> None:
    try:
        from dagster._core.workspace.context import WorkspaceProcessContext
        from dagster._core.workspace.load_target import ModuleTarget
    except ImportError as error:
        pytest.fail(broken(WEBSERVER, "dagster", f"the workspace modules moved: {error}"))
    from dagster_webserver.app import create_app_from_workspace_process_context

    target = ModuleTarget(
        module_name="pipelines.definitions",
        attribute=None,
        working_directory="/",
        location_name=None,
    )
    assert target.module_name == "pipelines.definitions", broken(
        WEBSERVER, "dagster", "ModuleTarget no longer keeps module_name"
    )
    context = inspect.signature(WorkspaceProcessContext).parameters
    assert list(context)[:3] == ["instance", "workspace_load_target", "version"], broken(
        WEBSERVER, "dagster", f"WorkspaceProcessContext takes {list(context)}"
    )
    assert hasattr(WorkspaceProcessContext, "__enter__"), broken(
        WEBSERVER, "dagster", "WorkspaceProcessContext is no longer a context manager"
    )
    app = inspect.signature(create_app_from_workspace_process_context).parameters
    assert list(app)[:2] == ["workspace_process_context", "path_prefix"] and "kwargs" in app, (
        broken(WEBSERVER, "dagster-webserver", f"create_app_from_... takes {list(app)}")
    )


def test_daemon_shim_starts_the_private_daemon_module_with_its_shutdown_pipe() -> None:
    assert importlib.util.find_spec("dagster._daemon.__main__"), broken(
        DAEMON, "dagster", "python -m dagster._daemon is gone"
    )
    from dagster._daemon.cli import run_command

    options = {option for param in run_command.params for option in param.opts}
    assert {"--shutdown-pipe", "-m"} <= options, broken(
        DAEMON, "dagster", f"`dagster._daemon run` has no --shutdown-pipe or -m: {options}"
    )
    import dagster_shared.ipc as ipc

    for name in ("get_ipc_shutdown_pipe", "open_ipc_subprocess", "send_ipc_shutdown_message"):
        assert callable(getattr(ipc, name, None)), broken(
            DAEMON, "dagster-shared", f"dagster_shared.ipc.{name} is gone"
        )
