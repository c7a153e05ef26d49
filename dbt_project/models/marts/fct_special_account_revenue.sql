-- Where the special account's money comes from, as public documents state it: one row per
-- statement (year × phase × who stated it × document) and revenue source. A statement that gives
-- a total and names only some sources ("주세 … 등을 포함해 5조5천억원") gets a row `not_itemised`:
-- the total less the named sources, computed here and marked so, never spread over them. Its
-- tolerance is the sum of the figures' tolerances. The total itself is not a row (it would be
-- counted twice): it is `statement_total_krw_million` on each row of its statement.
with

cited as (
    select * from {{ ref('stg_raw__cited_figures') }}
    where measure = 'revenue'
),

items as (
    select * from {{ ref('ref_cited_items') }}
    where measure = 'revenue'
),

statement_totals as (
    select
        fiscal_year,
        stated_by,
        url,
        amount_krw_million,
        precision_krw_million,
        source_locator,
        publication_date,
        coalesce(phase, 'not stated') as phase
    from cited
    where item_code = 'total'
),

named as (
    select
        fiscal_year,
        stated_by,
        url,
        publication_date,
        item_code as revenue_source_code,
        amount_krw_million,
        precision_krw_million,
        source_locator,
        coalesce(phase, 'not stated') as phase,
        false as is_computed
    from cited
    where item_code != 'total'
),

remainders as (
    select
        statement_totals.fiscal_year,
        statement_totals.phase,
        statement_totals.stated_by,
        statement_totals.url,
        statement_totals.publication_date,
        'not_itemised' as revenue_source_code,
        statement_totals.amount_krw_million - coalesce(sum(named.amount_krw_million), 0)
            as amount_krw_million,
        statement_totals.precision_krw_million + coalesce(sum(named.precision_krw_million), 0)
            as precision_krw_million,
        true as is_computed,
        statement_totals.source_locator
    from statement_totals
    left join named
        on
            statement_totals.fiscal_year = named.fiscal_year
            and statement_totals.phase = named.phase
            and statement_totals.stated_by = named.stated_by
            and statement_totals.url = named.url
    group by
        statement_totals.fiscal_year,
        statement_totals.phase,
        statement_totals.stated_by,
        statement_totals.url,
        statement_totals.publication_date,
        statement_totals.amount_krw_million,
        statement_totals.precision_krw_million,
        statement_totals.source_locator
),

parts as (
    select * from named
    union all by name
    select * from remainders
),

final as (
    select
        parts.fiscal_year,
        parts.revenue_source_code,
        items.name_ko as revenue_source_name_ko,
        items.name_en as revenue_source_name_en,
        cast(items.item_order as integer) as revenue_source_order,
        parts.phase,
        parts.stated_by,
        parts.publication_date,
        parts.url,
        cast(parts.amount_krw_million as decimal(18, 3)) as amount_krw_million,
        cast(parts.precision_krw_million as decimal(38, 6)) as precision_krw_million,
        parts.is_computed,
        cast(statement_totals.amount_krw_million as decimal(18, 3)) as statement_total_krw_million,
        parts.source_locator
    from parts
    inner join items on parts.revenue_source_code = items.item_code
    left join statement_totals
        on
            parts.fiscal_year = statement_totals.fiscal_year
            and parts.phase = statement_totals.phase
            and parts.stated_by = statement_totals.stated_by
            and parts.url = statement_totals.url
)

select * from final
