-- Plans with their keys: each plan's code is its kind and the period of the five-year plan at the
-- root of its hierarchy (five_year_plan_2018_2022, implementation_plan_2018_2022, …), so that the
-- plans of the next five-year plan get keys of their own.
with recursive

plans as (
    select * from {{ ref('stg_raw__plans') }}
),

rooted as (
    select
        source_file,
        plan_order,
        plan_order as root_plan_order,
        0 as plan_depth
    from plans
    where parent_plan_order is null

    union all

    select
        plans.source_file,
        plans.plan_order,
        rooted.root_plan_order,
        rooted.plan_depth + 1 as plan_depth
    from plans
    inner join rooted
        on
            plans.source_file = rooted.source_file
            and plans.parent_plan_order = rooted.plan_order
),

keyed as (
    select
        rooted.source_file,
        rooted.plan_order,
        rooted.plan_depth,
        roots.period_start_year as root_period_start_year,
        roots.period_end_year as root_period_end_year,
        plans.plan_kind
        || '_' || roots.period_start_year
        || '_' || roots.period_end_year as plan_code
    from rooted
    inner join plans
        on rooted.source_file = plans.source_file and rooted.plan_order = plans.plan_order
    inner join plans as roots
        on rooted.source_file = roots.source_file and rooted.root_plan_order = roots.plan_order
),

final as (
    select
        plans.source_file,
        plans.source_sha256,
        plans.plan_order,
        plans.parent_plan_order,
        plans.plan_kind,
        plans.plan_label,
        plans.heading_text,
        plans.period_start_year,
        plans.period_end_year,
        plans.cycle_label,
        plans.formulator_label,
        plans.formulator_code,
        plans.legal_basis_text,
        plans.legal_basis_line_number,
        plans.line_number,
        plans.source_locator,
        keyed.plan_code,
        keyed.plan_depth,
        keyed.root_period_start_year,
        keyed.root_period_end_year,
        parents.plan_code as parent_plan_code
    from plans
    inner join keyed
        on plans.source_file = keyed.source_file and plans.plan_order = keyed.plan_order
    left join keyed as parents
        on plans.source_file = parents.source_file and plans.parent_plan_order = parents.plan_order
)

select * from final
