-- The special account's names in each era beside today's account: the 회계 and 계정 as named in
-- those budget years (as publishers' files name them), and how each maps to today's account.
-- Each year has one name per account. Where the seed's eras of an account overlap, the overlap
-- holds the years the renaming may have first applied (the first budget year under the new name
-- is not verified; the landing accepts either name in those years). Here the later name counts
-- from the last of those years, the first from which it is certain, and the earlier name keeps
-- the years before it; the later name's rows say once that their first year is uncertain, and
-- between which years it lies.
with

eras as (
    select * from {{ ref('ref_account_history') }}
),

accounts as (
    select * from {{ ref('ref_accounts') }}
),

-- an era of an account (of a 계정, or of the 회계 itself) that begins while an earlier era of the
-- same account still runs: the renaming lies between its first year and that earlier era's last
overlapping as (
    select
        later.account_name_ko as later_account_name_ko,
        later.sub_account_name_ko as later_sub_account_name_ko,
        later.first_year as later_first_year,
        earlier.account_name_ko as earlier_account_name_ko,
        earlier.sub_account_name_ko as earlier_sub_account_name_ko,
        earlier.first_year as earlier_first_year,
        later.today_account_code,
        earlier.last_year as latest_rename_year
    from eras as later
    inner join eras as earlier
        on
            later.today_account_code = earlier.today_account_code
            and (later.sub_account_name_ko is null) = (earlier.sub_account_name_ko is null)
            and later.account_name_ko != earlier.account_name_ko
            and later.first_year > earlier.first_year
            and later.first_year <= earlier.last_year
),

renamed_later as (
    select
        later_account_name_ko as account_name_ko,
        later_sub_account_name_ko as sub_account_name_ko,
        today_account_code,
        later_first_year as first_year,
        max(latest_rename_year) as latest_rename_year,
        string_agg(distinct earlier_account_name_ko, ' / ' order by earlier_account_name_ko)
            as earlier_account_name_ko
    from overlapping
    group by all
),

renamed_earlier as (
    select
        earlier_account_name_ko as account_name_ko,
        earlier_sub_account_name_ko as sub_account_name_ko,
        today_account_code,
        earlier_first_year as first_year,
        -- the year before the later name counts (the latest year the renaming may lie in)
        min(latest_rename_year) - 1 as last_year
    from overlapping
    group by all
),

resolved as (
    select
        eras.account_name_ko,
        eras.sub_account_name_ko,
        eras.name_en,
        eras.today_account_code,
        eras.mapping,
        eras.source,
        coalesce(renamed_later.latest_rename_year, eras.first_year) as first_year,
        coalesce(renamed_earlier.last_year, eras.last_year) as last_year,
        renamed_later.today_account_code is not null as is_rename_year_uncertain,
        case
            when renamed_later.today_account_code is not null
                then
                    'The first budget year under this name is not verified: '
                    || renamed_later.first_year || ' at the earliest, '
                    || renamed_later.latest_rename_year || ' at the latest. Counted here from '
                    || renamed_later.latest_rename_year
                    || '; earlier years keep the previous name ('
                    || renamed_later.earlier_account_name_ko || '), and budget lines of '
                    || renamed_later.first_year || '–' || renamed_later.latest_rename_year
                    || ' are accepted under either name.'
        end as rename_year_note
    from eras
    left join renamed_later
        on
            eras.account_name_ko = renamed_later.account_name_ko
            and eras.sub_account_name_ko is not distinct from renamed_later.sub_account_name_ko
            and eras.today_account_code = renamed_later.today_account_code
            and eras.first_year = renamed_later.first_year
    left join renamed_earlier
        on
            eras.account_name_ko = renamed_earlier.account_name_ko
            and eras.sub_account_name_ko is not distinct from renamed_earlier.sub_account_name_ko
            and eras.today_account_code = renamed_earlier.today_account_code
            and eras.first_year = renamed_earlier.first_year
),

final as (
    select
        resolved.first_year,
        resolved.last_year,
        resolved.account_name_ko,
        resolved.sub_account_name_ko,
        resolved.name_en,
        resolved.today_account_code as account_code,
        accounts.name_ko as account_name_ko_today,
        accounts.name_en as account_name_en_today,
        resolved.mapping,
        resolved.is_rename_year_uncertain,
        resolved.rename_year_note,
        resolved.source
    from resolved
    inner join accounts on resolved.today_account_code = accounts.account_code
)

select * from final
