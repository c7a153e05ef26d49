"""The report's year-by-year view reads the history marts; a build without them shows none, and
a year with two revenue statements shows one of them whole (the latest with a total), never
their parts mixed."""

from __future__ import annotations

import duckdb

from pipelines.reports.twenty_years import NEEDED, twenty_years

SCHEMA = """
create schema marts;
create table marts.fct_year_coverage (fiscal_year integer, coverage_note varchar);
create table marts.dim_account_era (first_year integer, last_year integer,
    account_name_ko varchar, name_en varchar, sub_account_name_ko varchar, account_code varchar);
create table marts.fct_special_account_history_current (fiscal_year integer,
    is_whole_account boolean, amount_krw_million decimal(18, 3),
    precision_krw_million decimal(38, 6), phase varchar, source_name varchar,
    source_kind varchar, chosen_because varchar, n_figures integer, n_agreeing integer);
create table marts.fct_special_account_revenue (fiscal_year integer,
    revenue_source_code varchar, revenue_source_name_ko varchar, revenue_source_name_en varchar,
    revenue_source_order integer, stated_by varchar, url varchar, publication_date date,
    amount_krw_million decimal(18, 3), is_computed boolean,
    statement_total_krw_million decimal(18, 3));
create table marts.fct_special_account_share (fiscal_year integer, share_code varchar,
    share_name_ko varchar, share_name_en varchar, basis_code varchar, basis_name_ko varchar,
    basis_name_en varchar, share_percent decimal(9, 4), computed_percent decimal(9, 4),
    stated_by varchar);
insert into marts.fct_year_coverage values (2005, null), (2006, 'no figure found');
insert into marts.dim_account_era values
    (2005, 2009, '국가균형발전특별회계', 'first form', null, 'bnd_special_account'),
    (2005, 2009, '국가균형발전특별회계', 'an account', '지역개발사업계정', 'bnd_special_account');
insert into marts.fct_special_account_history_current values
    (2005, true, 5500000, 50000, 'proposed', 'a ministry', 'control total', 'only figure', 1, 0);
insert into marts.fct_special_account_revenue values
    (2005, 'liquor_tax', '주세', 'Liquor tax', 1, 'older', 'https://a', '2004-12-06',
     2900000, false, 5500000),
    (2005, 'not_itemised', '항목 미기재', 'Not itemised', 7, 'older', 'https://a',
     '2004-12-06', 2600000, true, 5500000),
    (2005, 'liquor_tax', '주세', 'Liquor tax', 1, 'no total', 'https://c', '2020-01-01',
     3000000, false, null),
    (2005, 'liquor_tax', '주세', 'Liquor tax', 1, 'newer', 'https://b', '2010-05-01',
     2800000, false, 5400000),
    (2005, 'not_itemised', '항목 미기재', 'Not itemised', 7, 'newer', 'https://b',
     '2010-05-01', 2600000, true, 5400000);
"""


def test_a_build_without_the_history_marts_has_no_rows() -> None:
    with duckdb.connect() as con:
        assert twenty_years(con, set(NEEDED) - {"marts.fct_special_account_share"}) == []


def test_a_year_shows_one_revenue_statement_whole() -> None:
    with duckdb.connect() as con:
        con.execute(SCHEMA)
        rows = twenty_years(con, set(NEEDED))
    assert [row["fiscal_year"] for row in rows] == [2005, 2006]
    first, second = rows
    assert (first["era_name_ko"], first["amount_krw_million"]) == ("국가균형발전특별회계", 5500000)
    # the latest published statement with a total, its parts only (not 'no total', not 'older')
    assert first["revenue_stated_by"] == "newer"
    assert first["revenue_total_krw_million"] == 5400000
    assert [(part["code"], part["amount"]) for part in first["revenue_parts"]] == [
        ("liquor_tax", 2800000),
        ("not_itemised", 2600000),
    ]
    assert second["amount_krw_million"] is None
    assert second["coverage_note"] == "no figure found"
