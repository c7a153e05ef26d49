-- Every row of the local budget books, its funding by source beside it (added up at ingest from
-- its funding columns as printed, raw.local_book_funding), and the amount its funding splits
-- (`line_amount_krw_million`: the change in a book whose funding columns split the change,
-- otherwise the budget).
with

source as (
    select * from {{ source('raw', 'local_book_rows') }}
),

books as (
    select * from {{ source('raw', 'local_books') }}
),

joined as (
    select
        source.source_file,
        source.source_sha256,
        source.row_place,
        source.row_role,
        source.local_account,
        source.department,
        source.detail_project,
        source.stat_item_code,
        source.stat_item_name,
        source.basis,
        books.split_basis,
        cast(source.line_number as integer) as line_number,
        cast(source.marker_depth as integer) as marker_depth,
        cast(source.budget_krw_million as decimal(38, 6)) as budget_krw_million,
        cast(source.prior_krw_million as decimal(38, 6)) as prior_krw_million,
        cast(source.change_krw_million as decimal(38, 6)) as change_krw_million,
        cast(source.special_account_krw_million as decimal(38, 6))
            as special_account_krw_million,
        cast(
            case
                when books.split_basis = 'change' then source.change_krw_million
                else source.budget_krw_million
            end as decimal(38, 6)
        ) as line_amount_krw_million,
        source.national_subsidy_krw_million,
        source.fund_subsidy_krw_million,
        source.special_grant_krw_million,
        source.provincial_subsidy_krw_million,
        source.adjustment_grant_krw_million,
        source.own_revenue_krw_million,
        source.local_bond_krw_million,
        source.other_krw_million,
        source.source_file || ' (' || source.row_place || ')' as source_locator
    from source
    inner join books on source.source_file = books.source_file
)

select * from joined
