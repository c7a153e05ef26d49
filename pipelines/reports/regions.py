"""The account by region, for the report: what local governments' own budget books say the
special account funds (``marts.fct_local_account_funding``), by fiscal year, phase and 시·도, with
how many of the 시·도's governments have a book loaded, each loaded government's figure, and how
the 시·도 stands in the reconciliation (``audit.audit_local_reconciliation``, always NOT_COMPARED
at this level, with why). Nothing is said of a government without a book."""

from __future__ import annotations

from typing import Any

import duckdb

from pipelines.core.sql import json_rows

NEEDED = ("marts.fct_local_account_funding", "audit.audit_local_reconciliation")

REGIONS_SQL = """
with
sido as (
    select
        f.fiscal_year,
        f.phase,
        any_value(f.split_basis) as split_basis,
        f.sido_code,
        any_value(f.sido_name_ko) as sido_name_ko,
        any_value(f.sido_name_en) as sido_name_en,
        max(f.governments_loaded_in_sido) as governments_loaded,
        max(f.governments_in_sido) as governments_in_sido,
        sum(f.special_account_krw_million) as special_account_krw_million,
        sum(f.account_lines_amount_krw_million) as account_lines_amount_krw_million,
        sum(f.n_account_lines) as n_account_lines,
        list({'name_ko': f.government_name_ko, 'name_en': f.government_name_en,
              'amount': f.special_account_krw_million, 'share': f.share_of_lines_percent,
              'lines': f.n_account_lines, 'column': f.special_account_column}
             order by f.government_code) as governments
    from marts.fct_local_account_funding as f
    group by f.fiscal_year, f.phase, f.sido_code
)
select
    sido.*,
    cast(round(100 * sido.special_account_krw_million
               / nullif(sido.account_lines_amount_krw_million, 0), 2) as decimal(9, 2))
        as share_of_lines_percent,
    a.status,
    a.reason
from sido
left join audit.audit_local_reconciliation as a
    on a.check_code = 'sido' and a.fiscal_year = sido.fiscal_year and a.phase = sido.phase
    and a.scope_code = sido.sido_code
order by sido.fiscal_year desc, sido.phase, sido.sido_code
"""


def regions(con: duckdb.DuckDBPyConnection, tables: set[str]) -> list[dict[str, Any]]:
    """One row per fiscal year × phase × 시·도 with a local book loaded; empty for a build
    without the local marts (an older build's report keeps working)."""
    if not all(table in tables for table in NEEDED):
        return []
    return json_rows(con.execute(REGIONS_SQL))
