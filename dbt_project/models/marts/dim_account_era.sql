-- The special account's names in each era beside today's account: the 회계 and 계정 as named in
-- those budget years (as publishers' files name them), and how each maps to today's account.
with

eras as (
    select * from {{ ref('ref_account_history') }}
),

accounts as (
    select * from {{ ref('ref_accounts') }}
),

final as (
    select
        eras.first_year,
        eras.last_year,
        eras.account_name_ko,
        eras.sub_account_name_ko,
        eras.name_en,
        eras.today_account_code as account_code,
        accounts.name_ko as account_name_ko_today,
        accounts.name_en as account_name_en_today,
        eras.mapping,
        eras.source
    from eras
    inner join accounts on eras.today_account_code = accounts.account_code
)

select * from final
