"""A run's warm dbt process (``defs/transform/warm_dbt.py``): the build's dbt command hands itself
to it and says exactly what it would have said; it serves one command, and ends with its run.

Each case starts the warm process from a new interpreter, as ``make run`` does (a fork needs a
process with no other thread, which a pytest worker is not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pipelines.core.settings import DBT_PROJECT_DIR, DBT_TARGET_DIR, PROJECT_ROOT
from pipelines.defs.transform.dbt_runner import KEPT_PARSE_STATE
from pipelines.defs.transform.project import dbt_command_line, parse_state_env
from pipelines.defs.transform.warm_dbt import SERVER_ENV

# Starts a warm dbt process, runs the dbt commands given (each in a process of its own, as
# dagster-dbt does), and prints the warm process's pid and each command's pid and outcome.
# With "end_without_stop" the script ends without stopping the warm process (as a killed run).
SCRIPT = """
import json, os, subprocess, sys
from pathlib import Path
from pipelines.defs.transform import warm_dbt

request = json.loads(sys.argv[1])
warm = warm_dbt.start(Path(request["parse_state"]))
said = {"warm_pid": warm.pid, "commands": []}
for command in request["commands"]:
    process = subprocess.Popen(command, cwd=request["cwd"], env={**os.environ, **request["env"]},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate(timeout=300)
    said["commands"].append({"pid": process.pid, "code": process.returncode,
                             "stdout": stdout, "stderr": stderr})
print(json.dumps(said), flush=True)
if request["end_without_stop"]:
    os._exit(0)
warm.stop()
"""

LIST = ("--log-format", "json", "ls", "--select", "dim_year", "--profiles-dir", ".")


def dbt_env(folder: Path) -> dict[str, str]:
    """What the dbt profile needs to render (``ls`` opens no database), and the parse state."""
    return {
        "BND_BUILD_DB": str(folder / "bnd.duckdb"),
        "BND_LANDING_DB": str(folder / "landing.duckdb"),
        "BND_DUCKDB_TEMP_DIR": str(folder / "duckdb_tmp"),
        "DBT_TARGET_PATH": str(folder / "target"),
        **parse_state_env(),
    }


def with_warm_dbt(folder: Path, commands: int, end_without_stop: bool = False) -> dict:
    request = {
        "parse_state": str(DBT_TARGET_DIR / KEPT_PARSE_STATE),
        "commands": [dbt_command_line(*LIST)] * commands,
        "cwd": str(DBT_PROJECT_DIR),
        "env": dbt_env(folder),
        "end_without_stop": end_without_stop,
    }
    env = {name: value for name, value in os.environ.items() if name != SERVER_ENV}
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(request)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(completed.stdout)


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def listed(stdout: str) -> list[str]:
    return [
        event["info"]["msg"] for event in events(stdout) if event["info"]["name"] == "PrintEvent"
    ]


def test_the_dbt_command_runs_in_the_warm_process_and_says_what_it_would_have(
    tmp_path: Path,
) -> None:
    said = with_warm_dbt(tmp_path, commands=2)
    handed, second = said["commands"]
    alone = subprocess.run(
        dbt_command_line(*LIST),
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, **dbt_env(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert handed["code"] == alone.returncode == 0, handed["stderr"] + alone.stderr
    assert listed(handed["stdout"]) == listed(alone.stdout) == ["bnd.marts.dim_year"], handed[
        "stdout"
    ][-3000:]
    # dbt ran in the warm process: every event is that process's, none the command's own
    assert {event["info"]["pid"] for event in events(handed["stdout"])} == {said["warm_pid"]}
    # it serves one command: the next one ran dbt itself, with the same outcome
    assert second["code"] == 0 and listed(second["stdout"]) == ["bnd.marts.dim_year"]
    assert {event["info"]["pid"] for event in events(second["stdout"])} == {second["pid"]}


def test_a_warm_process_ends_when_its_run_ends_without_stopping_it(tmp_path: Path) -> None:
    said = with_warm_dbt(tmp_path, commands=0, end_without_stop=True)
    deadline = time.monotonic() + 30
    while ended(said["warm_pid"]) is False and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ended(said["warm_pid"]), f"warm dbt process {said['warm_pid']} outlived its run"


def ended(pid: int) -> bool:
    """No such process, or only its exit status left (a zombie)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status
