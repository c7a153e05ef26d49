-- Every budget fact with who formulates it, derived from the structure matrix: local governments,
-- central government agencies, or 'mixed' where the page publishes one figure for an account whose
-- methods are formulated by both (Sejong, Jeju). Such an amount cannot be split.
with

facts as (
    select * from {{ ref('fct_budget') }}
),

bridge as (
    select * from {{ ref('bridge_budget_formulation_method') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

by_budget_line as (
    select
        account_code,
        level_code,
        count(*) as n_methods,
        count(distinct formulated_by) as n_formulated_by,
        min(formulated_by) as only_formulated_by,
        string_agg(method_marker, ', ' order by method_number) as method_markers,
        string_agg(method_marker, ', ' order by method_number)
        filter (where formulated_by = 'local_government') as local_method_markers,
        string_agg(method_marker, ', ' order by method_number)
        filter (where formulated_by = 'central_agency') as central_method_markers
    from bridge
    group by account_code, level_code
),

attributed as (
    select
        facts.*,
        accounts.name_en as account_name_en,
        by_budget_line.method_markers,
        by_budget_line.local_method_markers,
        by_budget_line.central_method_markers,
        cast(coalesce(by_budget_line.n_methods, 0) as integer) as n_methods,
        case
            when by_budget_line.n_formulated_by = 1 then by_budget_line.only_formulated_by
            when by_budget_line.n_formulated_by > 1 then 'mixed'
        end as formulated_by
    from facts
    inner join accounts on facts.account_code = accounts.account_code
    left join by_budget_line
        on
            facts.account_code = by_budget_line.account_code
            and facts.level_code = by_budget_line.level_code
),

final as (
    select
        fiscal_year,
        account_code,
        level_code,
        phase,
        source_file,
        amount_krw_million,
        formulated_by,
        n_methods,
        method_markers,
        local_method_markers,
        central_method_markers,
        source_sha256,
        source_locator,
        coalesce(formulated_by in ('local_government', 'central_agency'), false) as is_attributable,
        case formulated_by
            when 'local_government'
                then 'Formulated by local governments (method ' || method_markers || ').'
            when 'central_agency'
                then
                    'Formulated by central government agencies (method '
                    || method_markers || ').'
            when 'mixed'
                then
                    'Cannot be split: the page publishes one figure for the '
                    || account_name_en || ', which funds methods formulated by local governments ('
                    || local_method_markers || ') and by central government agencies ('
                    || central_method_markers || ').'
            else 'No formulation method of the structure matrix funds this account and level.'
        end as attribution_note
    from attributed
)

select * from final
