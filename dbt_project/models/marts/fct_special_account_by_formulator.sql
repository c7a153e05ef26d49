-- The analyst view: per year, how much of the Special Accounts for Balanced National Development
-- is formulated by local governments, by central government agencies, and how much the source
-- does not let us split (one published figure for Sejong and one for Jeju, each funding methods of
-- both kinds).
with

facts as (
    select * from {{ ref('fct_budget_formulation') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

levels as (
    select * from {{ ref('dim_level') }}
),

described as (
    select
        facts.*,
        accounts.account_order,
        levels.level_order,
        accounts.name_en
        || case when levels.is_split_by_level then ' (' || levels.name_en || ')' else '' end
        || case
            when facts.formulated_by = 'mixed'
                then
                    ' (local ' || facts.local_method_markers
                    || ' and central ' || facts.central_method_markers || ')'
            else ''
        end as budget_line_en
    from facts
    inner join accounts on facts.account_code = accounts.account_code
    inner join levels on facts.level_code = levels.level_code
),

by_formulator as (
    select
        fiscal_year,
        phase,
        source_file,
        formulated_by,
        sum(amount_krw_million) as amount_krw_million,
        count(*) as n_budget_lines,
        string_agg(budget_line_en, '; ' order by account_order, level_order) as budget_lines_en
    from described
    group by fiscal_year, phase, source_file, formulated_by
),

year_totals as (
    select
        fiscal_year,
        phase,
        source_file,
        sum(amount_krw_million) as year_total_krw_million
    from facts
    group by fiscal_year, phase, source_file
),

final as (
    select
        by_formulator.fiscal_year,
        by_formulator.formulated_by,
        by_formulator.phase,
        by_formulator.source_file,
        cast(by_formulator.amount_krw_million as bigint) as amount_krw_million,
        cast(year_totals.year_total_krw_million as bigint) as year_total_krw_million,
        cast(
            round(100.0 * by_formulator.amount_krw_million / year_totals.year_total_krw_million, 2)
            as decimal(5, 2)
        ) as share_of_year_pct,
        cast(by_formulator.n_budget_lines as integer) as n_budget_lines,
        by_formulator.budget_lines_en,
        coalesce(by_formulator.formulated_by <> 'mixed', false) as is_split_by_source,
        case by_formulator.formulated_by
            when 'local_government'
                then
                    'Formulated autonomously by local governments '
                    || '(cities and provinces; si, gun, gu).'
            when 'central_agency'
                then 'Formulated by central government agencies.'
            when 'mixed'
                then
                    'Cannot be split between local governments and central agencies: the page '
                    || 'publishes one figure per account for these accounts, and each funds '
                    || 'methods formulated by both.'
            else 'Not attributed: no formulation method funds these budget lines.'
        end as note
    from by_formulator
    inner join year_totals
        on
            by_formulator.fiscal_year = year_totals.fiscal_year
            and by_formulator.phase = year_totals.phase
            and by_formulator.source_file = year_totals.source_file
)

select * from final
