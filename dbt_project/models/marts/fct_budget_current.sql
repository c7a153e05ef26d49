-- The value of record: one figure per fiscal year × account × level among every source's.
-- The rule is data (`defaults.value_of_record` in data_raw/sources.yml, landed as
-- raw.value_of_record): its criteria apply in their rank order, each as a key where smaller
-- is better —
--   precision         the most precise figure (smallest precision_krw_million)
--   phase             the most authoritative phase (phase_authority rank; supplementary_<n>:
--                     the highest n first)
--   publication_date  the latest publication (an undated source loses to a dated one)
-- A tie on every criterion goes to the file registered first in sources.yml and is marked as a
-- tie in `chosen_because`; a file name never decides. `chosen_because` compares the chosen
-- figure with the runner-up and names the first criterion that separates them.
with

facts as (
    select * from {{ ref('fct_budget') }}
),

source_files as (
    select * from {{ ref('dim_source') }}
),

rule as (
    select * from {{ ref('stg_raw__value_of_record') }}
),

{{ value_of_record_rule('rule') }},

candidates as (
    select
        facts.fiscal_year,
        facts.account_code,
        facts.level_code,
        facts.phase,
        facts.source_file,
        facts.amount_krw_million,
        facts.precision_krw_million,
        facts.source_locator,
        source_files.publication_date,
        source_files.registry_order,
        -- smaller is better for each key
        {{ value_of_record_keys(
            'facts.precision_krw_million', 'facts.phase', 'phase_authority.authority_rank',
            'source_files.publication_date'
        ) }}
    from facts
    inner join source_files on facts.source_file = source_files.source_file
    inner join phase_authority
        on phase_authority.phase_kind = {{ phase_kind('facts.phase') }}
),

keyed as (
    select
        candidates.*,
        {{ value_of_record_ordered_keys() }}
    from candidates
    cross join criteria
),

ranked as (
    select
        *,
        row_number() over grain_order as authority_rank,
        {{ value_of_record_runner_up('grain_order') }},
        count(*) over (partition by fiscal_year, account_code, level_code) as n_candidates,
        count(*) over (
            partition by fiscal_year, account_code, level_code, key_1, key_2, key_3
        ) as n_tied
    from keyed
    window grain_order as (
        partition by fiscal_year, account_code, level_code
        order by key_1, key_2, key_3, registry_order
    )
),

explained as (
    select
        *,
        {{ deciding_criterion() }} as deciding_criterion
    from ranked
    where authority_rank = 1
),

final as (
    select
        fiscal_year,
        account_code,
        level_code,
        phase,
        source_file,
        amount_krw_million,
        precision_krw_million,
        source_locator,
        publication_date,
        cast(n_candidates as integer) as n_candidates,
        {{ chosen_because(
            '', 'n_candidates', 'only source',
            "'TIE with ' || (n_tied - 1) || ' other source(s) on precision, phase and "
            ~ "publication date: the one registered first in sources.yml (entry ' "
            ~ "|| registry_order || ')'"
        ) }} as chosen_because
    from explained
)

select * from final
