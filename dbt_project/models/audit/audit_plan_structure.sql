-- One row per structural rule × what it is checked on, with what was expected, what was found and
-- a sentence saying so. Great Expectations (suite plan_structure) requires every row consistent
-- and every rule to have rows.
--   declared_count       each list holds as many rows in the marts as the registry declares
--   plan_component       each count a plan of its kind must declare is a positive integer, at
--                        least the count of the level above it (a key task per strategy)
--   method_numbering     formulation methods are numbered 1, 2, … without a gap
--   method_account       each method belongs to an account of dim_account that facts are booked on
--   method_formulator    each method has a formulator of dim_formulator
--   budget_line_method   each account × level of fct_budget is funded by at least one method
--   note_account         each budget-change note concerns an account of dim_account
-- A warehouse of budget tables alone (no registered source has `plan_documents`) has no plan
-- documents to check: each rule then has one consistent row saying it was not applied, and the
-- declared_count rows require the plan marts to be empty.
with

declared as (
    select * from {{ ref('stg_raw__plan_declared_counts') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

components as (
    select * from {{ ref('dim_plan_component') }}
),

component_rules as (
    select * from {{ ref('ref_plan_components') }}
),

methods as (
    select * from {{ ref('dim_formulation_method') }}
),

accounts as (
    select * from {{ ref('dim_account') }}
),

formulators as (
    select * from {{ ref('dim_formulator') }}
),

notes as (
    select * from {{ ref('dim_budget_change_note') }}
),

bridge as (
    select * from {{ ref('bridge_budget_formulation_method') }}
),

plan_documents as (
    select count(*) > 0 as is_registered
    from declared
),

budget_lines as (
    select distinct
        source_file,
        account_code,
        level_code
    from {{ ref('fct_budget') }}
),

mart_counts as (
    select
        'project_areas' as list_name,
        'project areas' as noun,
        'marts.dim_project_area' as mart,
        count(*) as n_rows
    from {{ ref('dim_project_area') }}
    union all
    select
        'funding_scope_items' as list_name,
        'funding scope items' as noun,
        'marts.dim_funding_scope' as mart,
        count(*) as n_rows
    from {{ ref('dim_funding_scope') }}
    union all
    select
        'formulation_methods' as list_name,
        'formulation methods' as noun,
        'marts.dim_formulation_method' as mart,
        count(*) as n_rows
    from methods
    union all
    select
        'budget_change_notes' as list_name,
        'budget-change notes' as noun,
        'marts.dim_budget_change_note' as mart,
        count(*) as n_rows
    from notes
),

declared_count as (
    select
        'declared_count' as check_code,
        declared.source_file,
        mart_counts.list_name as subject,
        coalesce(
            declared.declared_count, case when not plan_documents.is_registered then 0 end
        ) as expected_count,
        mart_counts.n_rows as actual_count,
        coalesce(
            declared.declared_count = mart_counts.n_rows,
            not plan_documents.is_registered and mart_counts.n_rows = 0,
            false
        ) as is_consistent,
        case
            when not plan_documents.is_registered
                then
                    'no plan documents registered (no sources.yml entry has plan_documents): '
                    || mart_counts.n_rows || ' ' || mart_counts.noun || ' in ' || mart_counts.mart
                    || ', 0 expected'
            when declared.declared_count is null
                then
                    'no count declared for ' || mart_counts.noun
                    || ' in sources.yml; found ' || mart_counts.n_rows || ' in ' || mart_counts.mart
            else
                'expected ' || declared.declared_count || ' ' || mart_counts.noun
                || ' (declared in ' || declared.declared_in || '), found ' || mart_counts.n_rows
                || ' in ' || mart_counts.mart
        end as finding
    from mart_counts
    cross join plan_documents
    left join declared on mart_counts.list_name = declared.list_name
),

expected_components as (
    select
        plans.plan_code,
        plans.name_en as plan_name_en,
        plans.source_file,
        component_rules.component_code,
        component_rules.parent_component_code,
        component_rules.name_en as component_name_en,
        components.declared_count
    from plans
    inner join component_rules on plans.plan_kind = component_rules.plan_kind
    left join components
        on
            plans.plan_code = components.plan_code
            and component_rules.component_code = components.component_code
),

plan_component as (
    select
        'plan_component' as check_code,
        this.source_file,
        this.plan_code || ' ' || this.component_code as subject,
        coalesce(parent.declared_count, 1) as expected_count,
        this.declared_count as actual_count,
        coalesce(this.declared_count >= coalesce(parent.declared_count, 1), false)
            as is_consistent,
        case
            when this.declared_count is null
                then
                    'the ' || this.plan_name_en || ' declares no count of '
                    || lower(this.component_name_en)
            when parent.component_code is null
                then
                    'the ' || this.plan_name_en || ' declares ' || this.declared_count || ' '
                    || lower(this.component_name_en) || ' (at least 1 expected)'
            else
                'the ' || this.plan_name_en || ' declares ' || this.declared_count || ' '
                || lower(this.component_name_en) || ' for ' || coalesce(
                    cast(parent.declared_count as varchar), 'an undeclared number of'
                ) || ' ' || lower(parent.component_name_en) || ' (at least as many expected)'
        end as finding
    from expected_components as this
    left join expected_components as parent
        on
            this.plan_code = parent.plan_code
            and this.parent_component_code = parent.component_code
),

numbered_methods as (
    select
        *,
        row_number() over (order by method_number) as method_position
    from methods
),

method_numbering as (
    select
        'method_numbering' as check_code,
        source_file,
        'method ' || method_marker as subject,
        method_position as expected_count,
        method_number as actual_count,
        method_number = method_position as is_consistent,
        'method ' || method_marker || ' is number ' || method_number || ', in position '
        || method_position || ' of the numbers 1 to ' || count(*) over () as finding
    from numbered_methods
),

method_account as (
    select
        'method_account' as check_code,
        methods.source_file,
        'method ' || methods.method_marker as subject,
        1 as expected_count,
        cast(accounts.account_code is not null as integer) as actual_count,
        coalesce(accounts.is_leaf_account, false) as is_consistent,
        'method ' || methods.method_marker || ' belongs to account '
        || coalesce(methods.account_code, 'none') || case
            when accounts.account_code is null then ', which is not in dim_account'
            when not accounts.is_leaf_account then ', which is not an account facts are booked on'
            else ' (' || accounts.name_en || ')'
        end as finding
    from methods
    left join accounts on methods.account_code = accounts.account_code
),

method_formulator as (
    select
        'method_formulator' as check_code,
        methods.source_file,
        'method ' || methods.method_marker as subject,
        1 as expected_count,
        cast(formulators.formulator_code is not null as integer) as actual_count,
        formulators.formulator_code is not null as is_consistent,
        'method ' || methods.method_marker || ' is formulated by '
        || coalesce(methods.formulator_code, 'nobody') || case
            when formulators.formulator_code is null then ', which is not in dim_formulator'
            else ' (' || formulators.formulated_by || ')'
        end as finding
    from methods
    left join formulators on methods.formulator_code = formulators.formulator_code
),

budget_line_method as (
    select
        'budget_line_method' as check_code,
        budget_lines.source_file,
        budget_lines.account_code || ' ' || budget_lines.level_code as subject,
        1 as expected_count,
        count(bridge.method_number) as actual_count,
        count(bridge.method_number) >= 1 as is_consistent,
        budget_lines.account_code || ' × ' || budget_lines.level_code || ' is funded by '
        || case
            when count(bridge.method_number) = 0 then 'no formulation method'
            else
                'formulation method '
                || string_agg(bridge.method_marker, ', ' order by bridge.method_number)
        end as finding
    from budget_lines
    cross join plan_documents
    left join bridge
        on
            budget_lines.account_code = bridge.account_code
            and budget_lines.level_code = bridge.level_code
    where plan_documents.is_registered
    group by budget_lines.source_file, budget_lines.account_code, budget_lines.level_code
),

not_applied as (
    select
        rules.check_code,
        null as source_file,
        'no plan documents' as subject,
        0 as expected_count,
        0 as actual_count,
        true as is_consistent,
        'not applied: no registered source carries plan documents '
        || '(plan_documents in data_raw/sources.yml), so the plan marts are empty' as finding
    from (
        values
        ('plan_component'),
        ('method_numbering'),
        ('method_account'),
        ('method_formulator'),
        ('budget_line_method'),
        ('note_account')
    ) as rules (check_code)
    cross join plan_documents
    where not plan_documents.is_registered
),

note_account as (
    select
        'note_account' as check_code,
        notes.source_file,
        'note ' || notes.note_number as subject,
        1 as expected_count,
        cast(accounts.account_code is not null as integer) as actual_count,
        accounts.account_code is not null as is_consistent,
        'note ' || notes.note_number || ' (' || notes.direction_label || ' in '
        || notes.subject_label || ') concerns account ' || coalesce(notes.account_code, 'none')
        || case when accounts.account_code is null then ', which is not in dim_account' else '' end
            as finding
    from notes
    left join accounts on notes.account_code = accounts.account_code
),

final as (
    select * from declared_count
    union all by name
    select * from plan_component
    union all by name
    select * from method_numbering
    union all by name
    select * from method_account
    union all by name
    select * from method_formulator
    union all by name
    select * from budget_line_method
    union all by name
    select * from note_account
    union all by name
    select * from not_applied
)

select
    check_code,
    source_file,
    subject,
    cast(expected_count as bigint) as expected_count,
    cast(actual_count as bigint) as actual_count,
    is_consistent,
    finding
from final
