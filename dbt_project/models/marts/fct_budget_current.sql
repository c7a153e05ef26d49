with

facts as (
    select * from {{ ref('fct_budget') }}
),

source_files as (
    select * from {{ ref('dim_source') }}
),

ranked as (
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
        case
            when facts.phase = 'settled' then 4
            when facts.phase like 'supplementary_%' then 3
            when facts.phase = 'enacted' then 2
            when facts.phase = 'proposed' then 1
            else 0
        end as phase_rank,
        case
            when facts.phase like 'supplementary_%'
                then cast(split_part(facts.phase, '_', 2) as integer)
            else 0
        end as supplementary_number
    from facts
    inner join source_files on facts.source_file = source_files.source_file
),

chosen as (
    select
        *,
        row_number() over (
            partition by fiscal_year, account_code, level_code
            order by
                phase_rank desc,
                supplementary_number desc,
                publication_date desc nulls last,
                source_file desc
        ) as authority_rank,
        count(*) over (partition by fiscal_year, account_code, level_code) as n_candidates
    from ranked
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
        cast(n_candidates as integer) as n_candidates
    from chosen
    where authority_rank = 1
)

select * from final
