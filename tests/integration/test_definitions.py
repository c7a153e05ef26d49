"""The whole Dagster code location loads, and its lineage runs from raw file to published file."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.transform.project import prepare_manifest
from pipelines.lib.settings import Settings


def _definitions(tmp_path) -> dg.Definitions:
    settings = Settings.at(tmp_path / "raw", tmp_path / "warehouse")
    prepare_manifest(settings)
    from pipelines.definitions import build_definitions

    return build_definitions(settings)


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
    # dbt tests on the fact table are asset checks too, and blocking (severity error).
    dbt_checks = [name for name in checks if name.startswith("relationships_fct_budget")]
    assert dbt_checks and all(checks[name].blocking for name in dbt_checks)

    job = defs.resolve_job_def("refresh_warehouse")
    assert key(["warehouse", "bnd"]) in job.asset_layer.executable_asset_keys
