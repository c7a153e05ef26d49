-- Every account paired with itself and each account below it, for summing leaves under a parent.
with recursive

accounts as (
    select * from {{ ref('ref_accounts') }}
),

descendants as (
    select
        account_code as ancestor_account_code,
        account_code,
        0 as distance
    from accounts

    union all

    select
        descendants.ancestor_account_code,
        accounts.account_code,
        descendants.distance + 1 as distance
    from descendants
    inner join accounts on descendants.account_code = accounts.parent_account_code
)

select * from descendants
