-- The analyst view splits each year's budget by who formulates it (local governments, central
-- agencies, mixed) without losing or double counting an amount: its parts sum to the facts.
-- (That the facts sum to the published Total is the GX suite budget_reconciliation's job.)
with

split as (
    select
        source_file,
        phase,
        fiscal_year,
        sum(amount_krw_million) as split_krw_million
    from {{ ref('fct_special_account_by_formulator') }}
    group by source_file, phase, fiscal_year
),

facts as (
    select
        source_file,
        phase,
        fiscal_year,
        sum(amount_krw_million) as facts_krw_million
    from {{ ref('fct_budget') }}
    group by source_file, phase, fiscal_year
)

select
    facts.source_file,
    facts.phase,
    facts.fiscal_year,
    facts.facts_krw_million,
    split.split_krw_million
from facts
left join split
    on
        facts.source_file = split.source_file
        and facts.phase = split.phase
        and facts.fiscal_year = split.fiscal_year
where split.split_krw_million is distinct from facts.facts_krw_million
