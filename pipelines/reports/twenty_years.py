"""The special account year by year since 2005, for the report: under its name of each year, the
value of record of its spending (``marts.fct_special_account_history_current``) with why it was
chosen and how many other figures agree with it, the revenue public documents state
(``marts.fct_special_account_revenue``; where several statements give a year's, the latest
published of those with a total) and its shares (``marts.fct_special_account_share``),
and for a year with no figure, that none was found (``marts.fct_year_coverage``)."""

from __future__ import annotations

from typing import Any

import duckdb

from pipelines.core.sql import json_rows

NEEDED = (
    "marts.fct_year_coverage",
    "marts.fct_special_account_history_current",
    "marts.fct_special_account_revenue",
    "marts.fct_special_account_share",
    "marts.dim_account_era",
)

YEARS_SQL = """
with
years as (
    select fiscal_year, max(coverage_note) as coverage_note
    from marts.fct_year_coverage
    group by fiscal_year
),
era as (
    select years.fiscal_year, max(e.account_name_ko) as name_ko, max(e.name_en) as name_en
    from years
    inner join marts.dim_account_era as e
        on years.fiscal_year between e.first_year and coalesce(e.last_year, 9999)
        and e.sub_account_name_ko is null and e.account_code = 'bnd_special_account'
        and e.first_year = (
            select max(first_year) from marts.dim_account_era as later
            where later.sub_account_name_ko is null
                and later.account_code = 'bnd_special_account'
                and years.fiscal_year between later.first_year
                    and coalesce(later.last_year, 9999)
        )
    group by years.fiscal_year
),
record as (
    select * from marts.fct_special_account_history_current where is_whole_account
),
statements as (
    -- the revenue statement shown for a year: the latest published of those with a total
    select fiscal_year, stated_by, url
    from marts.fct_special_account_revenue
    group by fiscal_year, stated_by, url
    qualify row_number() over (
        partition by fiscal_year
        order by max(statement_total_krw_million) is null, max(publication_date) desc,
            stated_by, url
    ) = 1
),
revenue as (
    select
        r.fiscal_year,
        max(r.statement_total_krw_million) as revenue_total_krw_million,
        list({'code': r.revenue_source_code, 'name_ko': r.revenue_source_name_ko,
              'name_en': r.revenue_source_name_en, 'amount': r.amount_krw_million,
              'computed': r.is_computed}
             order by r.revenue_source_order) as revenue_parts,
        max(r.stated_by) as revenue_stated_by
    from marts.fct_special_account_revenue as r
    inner join statements using (fiscal_year, stated_by, url)
    group by r.fiscal_year
),
shares as (
    select
        fiscal_year,
        list({'code': share_code, 'name_ko': share_name_ko, 'name_en': share_name_en,
              'basis_ko': basis_name_ko, 'basis_en': basis_name_en, 'percent': share_percent,
              'computed': computed_percent, 'stated_by': stated_by}
             order by share_code, basis_code, stated_by) as shares
    from marts.fct_special_account_share
    group by fiscal_year
)
select
    years.fiscal_year,
    era.name_ko as era_name_ko,
    era.name_en as era_name_en,
    record.amount_krw_million,
    record.precision_krw_million,
    record.phase,
    record.source_name,
    record.source_kind,
    record.chosen_because,
    record.n_figures,
    record.n_agreeing,
    revenue.revenue_total_krw_million,
    revenue.revenue_parts,
    revenue.revenue_stated_by,
    shares.shares,
    years.coverage_note
from years
left join era on years.fiscal_year = era.fiscal_year
left join record on years.fiscal_year = record.fiscal_year
left join revenue on years.fiscal_year = revenue.fiscal_year
left join shares on years.fiscal_year = shares.fiscal_year
where years.fiscal_year <= greatest(2025, (select max(fiscal_year) from record))
order by years.fiscal_year
"""


def twenty_years(con: duckdb.DuckDBPyConnection, tables: set[str]) -> list[dict[str, Any]]:
    """One row per fiscal year from 2005 (the account's first budget); empty for a build
    without the history marts (an older build's report keeps working)."""
    if not all(table in tables for table in NEEDED):
        return []
    return json_rows(con.execute(YEARS_SQL))
