with

accounts as (
    select * from {{ ref('ref_accounts') }}
),

descendants as (
    select * from {{ ref('int_accounts__descendants') }}
),

depths as (
    select
        account_code,
        max(distance) as account_depth
    from descendants
    group by account_code
),

children as (
    select
        ancestor_account_code as account_code,
        count(*) filter (where distance = 1) as n_children
    from descendants
    group by ancestor_account_code
),

final as (
    select
        accounts.account_code,
        accounts.parent_account_code,
        accounts.name_en,
        accounts.name_ko,
        accounts.account_order,
        cast(depths.account_depth as integer) as account_depth,
        children.n_children = 0 as is_leaf_account
    from accounts
    inner join depths on accounts.account_code = depths.account_code
    inner join children on accounts.account_code = children.account_code
)

select * from final
