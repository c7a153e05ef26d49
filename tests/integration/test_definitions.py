"""The whole Dagster code location loads, and its lineage runs from raw file to published file."""

from __future__ import annotations

import dagster as dg

from pipelines.core.settings import PROJECT_ROOT, Settings
from pipelines.defs.transform.project import prepare_manifest
from tests.conftest import DATA_RAW
from tests.source_figures import PAGE_FILE


def _definitions(tmp_path) -> dg.Definitions:
    settings = Settings.at(tmp_path / "raw", tmp_path / "warehouse")
    prepare_manifest(settings)
    from pipelines.definitions import build_definitions

    return build_definitions(settings)


def test_lineage_starts_at_each_raw_file_and_automation_is_defined(tmp_path) -> None:
    settings = Settings.at(DATA_RAW, tmp_path / "warehouse")
    prepare_manifest(settings)
    from pipelines.definitions import build_definitions

    defs = build_definitions(settings)
    graph = defs.resolve_asset_graph()
    page = dg.AssetKey(["data_raw", PAGE_FILE.replace(".", "_")])
    for ingested in (["raw", "budget_cells"], ["raw", "project_areas"]):
        assert page in graph.get(dg.AssetKey(ingested)).parent_keys
    registry = dg.AssetKey(["data_raw", "sources_yml"])  # the registry is input too
    assert registry in graph.get(dg.AssetKey(["raw", "source_files"])).parent_keys
    assert dg.AssetKey(["data_raw", "README_md"]) not in graph.get_all_asset_keys()
    assert {sensor.name for sensor in defs.sensors} == {"data_raw_changes", "report_failed_build"}
    assert {schedule.name for schedule in defs.schedules} == {
        "refresh_schedule",
        "freshness_schedule",
    }


def test_definitions_load_with_lineage_and_blocking_checks(tmp_path) -> None:
    defs = _definitions(tmp_path)
    graph = defs.resolve_asset_graph()
    key = dg.AssetKey

    staging = graph.get(key(["staging", "stg_raw__budget_cells"]))
    assert key(["raw", "budget_cells"]) in staging.parent_keys
    assert key(["marts", "fct_budget"]) in graph.get(key(["warehouse", "bnd"])).parent_keys
    assert graph.get(key(["marts", "fct_budget"])).group_name == "marts"

    checks = {
        check_key.name: graph.get_check_spec(check_key)
        for check_key in graph.asset_check_keys
        if check_key.asset_key == key(["marts", "fct_budget"])
    }
    assert checks["gx_budget_reconciliation"].blocking
    assert checks["gx_budget_coverage"].blocking
    # dbt tests are asset checks too, and blocking (severity error): the budget lines' keys.
    line_checks = {
        check_key.name: graph.get_check_spec(check_key)
        for check_key in graph.asset_check_keys
        if check_key.asset_key == key(["marts", "fct_budget_line"])
    }
    dbt_checks = [name for name in line_checks if name.startswith("relationships_fct_budget_line")]
    assert len(dbt_checks) == 2 and all(line_checks[name].blocking for name in dbt_checks)

    plan_checks = {
        check_key.name: graph.get_check_spec(check_key)
        for check_key in graph.asset_check_keys
        if check_key.asset_key == key(["marts", "fct_budget_formulation"])
    }
    assert plan_checks["gx_plan_structure"].blocking

    # The plan documents land after the budget ingest and before dbt reads them.
    plans = graph.get(key(["staging", "stg_raw__plans"]))
    assert key(["raw", "plans"]) in plans.parent_keys
    assert key(["raw", "source_files"]) in graph.get(key(["raw", "plans"])).parent_keys

    job = defs.resolve_job_def("refresh_warehouse")
    assert key(["warehouse", "bnd"]) in job.asset_layer.executable_asset_keys
    # dbt runs as one step: a blocking check upstream of the plan ingest would split it in two.
    assert sorted(name for name in job.graph.node_names() if name.startswith("bnd_dbt")) == [
        "bnd_dbt_models"
    ]


def test_every_mart_states_its_grain_and_every_column_its_unit_and_language(tmp_path) -> None:
    import json

    from pipelines.defs.transform.project import bnd_dbt_project

    _definitions(tmp_path)  # prepares the manifest
    manifest = json.loads(bnd_dbt_project.manifest_path.read_text(encoding="utf-8"))
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]
    # every model file under models/marts (the budget lines' and the local books' included)
    files = {path.stem for path in (PROJECT_ROOT / "dbt_project/models/marts").rglob("*.sql")}
    assert {node["name"] for node in marts} == files and len(files) >= 33
    undocumented = [
        f"{node['name']}.{column['name']}"
        for node in marts
        for column in node["columns"].values()
        if not column["description"] or not {"unit", "language"} <= set(column["meta"])
    ]
    assert undocumented == []
    assert all(node["config"]["meta"].get("grain") for node in marts)
    assert all(node["config"]["contract"]["enforced"] for node in marts)
