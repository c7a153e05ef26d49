-- The special account's lines in local governments' own budget books: every line (a row that
-- is neither a 산출근거 heading nor a printed total) whose special-account funding column is not
-- zero, with that column's value as the line's amount of the account, the amount the book's
-- funding splits (the change in a supplementary book, otherwise the budget), its other funding
-- sources and the local 회계 beside it.
with

books as (
    select * from {{ ref('stg_raw__local_books') }}
),

book_rows as (
    select * from {{ ref('stg_raw__local_book_rows') }}
),

final as (
    select
        books.fiscal_year,
        books.phase,
        books.split_basis,
        books.government_code,
        books.government_name_ko,
        books.government_name_en,
        books.level_code,
        books.sido_code,
        books.sido_name_ko,
        books.sido_name_en,
        book_rows.local_account,
        book_rows.department,
        book_rows.detail_project,
        book_rows.stat_item_code,
        book_rows.stat_item_name,
        book_rows.basis,
        book_rows.special_account_krw_million,
        book_rows.line_amount_krw_million,
        book_rows.budget_krw_million,
        book_rows.prior_krw_million,
        book_rows.change_krw_million,
        book_rows.national_subsidy_krw_million,
        book_rows.fund_subsidy_krw_million,
        book_rows.special_grant_krw_million,
        book_rows.provincial_subsidy_krw_million,
        book_rows.adjustment_grant_krw_million,
        book_rows.own_revenue_krw_million,
        book_rows.local_bond_krw_million,
        book_rows.other_krw_million,
        books.special_account_column,
        books.account_name_that_year,
        book_rows.source_file,
        book_rows.source_locator
    from book_rows
    inner join books on book_rows.source_file = books.source_file
    where book_rows.row_role = 'line' and book_rows.special_account_krw_million <> 0
)

select * from final
