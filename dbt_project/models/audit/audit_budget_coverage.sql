-- Every budget line of the reference structure, for every year each source table covers, with how
-- many amounts were published for it. Great Expectations requires exactly one, not null, >= 0.
with

mapped as (
    select * from {{ ref('int_budget_cells__mapped') }}
),

lines as (
    select * from {{ ref('ref_budget_lines') }}
),

source_years as (
    select distinct
        source_file,
        phase,
        fiscal_year
    from mapped
),

expected as (
    select
        source_years.source_file,
        source_years.phase,
        source_years.fiscal_year,
        lines.line_code,
        lines.account_code,
        lines.level_code,
        lines.line_kind
    from source_years
    cross join lines
),

observed as (
    select
        source_file,
        fiscal_year,
        line_code,
        count(*) as n_values,
        count(*) filter (where amount_krw_million is null) as n_null_amounts,
        min(amount_krw_million) as min_amount_krw_million
    from mapped
    where line_code is not null
    group by all
),

final as (
    select
        expected.*,
        observed.min_amount_krw_million,
        coalesce(observed.n_values, 0) as n_values,
        coalesce(observed.n_null_amounts, 0) as n_null_amounts
    from expected
    left join observed
        on
            expected.source_file = observed.source_file
            and expected.fiscal_year = observed.fiscal_year
            and expected.line_code = observed.line_code
)

select * from final
