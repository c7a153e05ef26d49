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

criteria as (
    select
        max(case when item_rank = 1 then item end) as criterion_1,
        max(case when item_rank = 2 then item end) as criterion_2,
        max(case when item_rank = 3 then item end) as criterion_3
    from rule
    where rule_kind = 'criterion'
),

phase_authority as (
    select
        item as phase_kind,
        item_rank as authority_rank
    from rule
    where rule_kind = 'phase'
),

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
        cast(facts.precision_krw_million as double) as precision_key,
        cast(
            phase_authority.authority_rank * 10000
            - case
                when facts.phase like 'supplementary_%'
                    then least(cast(split_part(facts.phase, '_', 2) as integer), 9999)
                else 0
            end as double
        ) as phase_key,
        cast(
            coalesce(-date_diff('day', date '1900-01-01', source_files.publication_date), 1e9)
            as double
        ) as publication_key
    from facts
    inner join source_files on facts.source_file = source_files.source_file
    inner join phase_authority
        on
            phase_authority.phase_kind
            = case
                when facts.phase like 'supplementary_%' then 'supplementary' else facts.phase
            end
),

keyed as (
    select
        candidates.*,
        criteria.criterion_1,
        criteria.criterion_2,
        criteria.criterion_3,
        case criteria.criterion_1
            when 'precision' then candidates.precision_key
            when 'phase' then candidates.phase_key
            when 'publication_date' then candidates.publication_key
        end as key_1,
        case criteria.criterion_2
            when 'precision' then candidates.precision_key
            when 'phase' then candidates.phase_key
            when 'publication_date' then candidates.publication_key
        end as key_2,
        case criteria.criterion_3
            when 'precision' then candidates.precision_key
            when 'phase' then candidates.phase_key
            when 'publication_date' then candidates.publication_key
        end as key_3
    from candidates
    cross join criteria
),

ranked as (
    select
        *,
        row_number() over grain_order as authority_rank,
        lead(key_1) over grain_order as next_key_1,
        lead(key_2) over grain_order as next_key_2,
        lead(key_3) over grain_order as next_key_3,
        lead(precision_krw_million) over grain_order as next_precision_krw_million,
        lead(phase) over grain_order as next_phase,
        lead(publication_date) over grain_order as next_publication_date,
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
        case
            when key_1 != next_key_1 then criterion_1
            when key_2 != next_key_2 then criterion_2
            when key_3 != next_key_3 then criterion_3
        end as deciding_criterion
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
        case
            when n_candidates = 1 then 'only source'
            when deciding_criterion = 'precision'
                then
                    'most precise (±' || {{ thousands('precision_krw_million') }}
                    || ' vs ±' || {{ thousands('next_precision_krw_million') }}
                    || ' KRW million)'
            when deciding_criterion = 'phase'
                then 'phase ' || phase || ' outranks ' || next_phase
            when deciding_criterion = 'publication_date'
                then
                    'latest publication ' || strftime(publication_date, '%Y-%m-%d')
                    || ' (vs ' || coalesce(strftime(next_publication_date, '%Y-%m-%d'), 'undated')
                    || ')'
            else
                'TIE with ' || (n_tied - 1)
                || ' other source(s) on precision, phase and publication date: '
                || 'the one registered first in sources.yml (entry ' || registry_order || ')'
        end as chosen_because
    from explained
)

select * from final
