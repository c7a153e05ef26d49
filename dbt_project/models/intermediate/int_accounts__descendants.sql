-- Every account paired with itself and each account below it, for summing leaves under a parent.
with recursive

accounts as (
    select * from {{ ref('ref_accounts') }}
),

descendants as (
    select
        account_code as ancestor_account_code,
        account_code,
        0 as depth
    from accounts

    union all

    select
        descendants.ancestor_account_code,
        accounts.account_code,
        descendants.depth + 1 as depth
    from descendants
    inner join accounts on accounts.parent_account_code = descendants.account_code
)

select * from descendants
