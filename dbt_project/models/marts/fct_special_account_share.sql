-- The account's weight as public documents state it: its share of the government's budget (on
-- the basis each names: total expenditure, consolidated budget, or a basis it does not specify)
-- and the capital region's share of its subsidies to local governments. Beside each, the share
-- computed from figures the warehouse holds for the same statement, where it holds both the
-- numerator and the denominator; otherwise why not.
with

cited as (
    select * from {{ ref('fct_cited_figure') }}
),

shares as (
    select * from cited
    where measure = 'share'
),

subsidies as (
    select
        fiscal_year,
        url,
        stated_by,
        max(case when item_code = 'capital_region' then amount_krw_million end) as capital,
        max(case when item_code = 'non_capital_region' then amount_krw_million end) as rest,
        max(case when item_code = 'all_regions' then amount_krw_million end) as all_regions
    from cited
    where measure = 'subsidies'
    group by all
),

computed as (
    select
        shares.*,
        case
            when shares.item_code = 'capital_region' and subsidies.capital is not null
                then coalesce(subsidies.all_regions, subsidies.capital + subsidies.rest)
        end as denominator_krw_million,
        case when shares.item_code = 'capital_region' then subsidies.capital end
            as numerator_krw_million,
        subsidies.all_regions is not null as denominator_is_stated
    from shares
    left join subsidies
        on
            shares.fiscal_year = subsidies.fiscal_year
            and shares.url = subsidies.url
            and shares.stated_by = subsidies.stated_by
),

final as (
    select
        fiscal_year,
        item_code as share_code,
        item_name_ko as share_name_ko,
        item_name_en as share_name_en,
        basis_code,
        basis_name_ko,
        basis_name_en,
        share_percent,
        precision_percent,
        phase,
        stated_by,
        publication_date,
        url,
        locator,
        source_locator,
        cast(round(100 * numerator_krw_million / denominator_krw_million, 2) as decimal(9, 4))
            as computed_percent,
        case
            when denominator_krw_million is not null and denominator_is_stated
                then
                    'the capital region''s subsidies over all regions'', '
                    || 'as the same document states them'
            when denominator_krw_million is not null
                then
                    'the capital region''s subsidies over those of the capital region and '
                    || 'the rest, as the same document states them'
            when item_code = 'national_budget'
                then 'not computed: the warehouse holds no total of the government''s budget'
            else 'not computed: the same document states no subsidies by region'
        end as computed_from
    from computed
)

select * from final
