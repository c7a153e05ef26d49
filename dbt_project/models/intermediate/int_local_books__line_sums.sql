-- What each local budget book's lines add up to (its 산출근거 headings and printed totals left
-- out): the amount its funding splits, the special account's part, and the same over the lines
-- the account funds.
with

book_rows as (
    select * from {{ ref('stg_raw__local_book_rows') }}
    where row_role = 'line'
),

final as (
    select
        source_file,
        sum(line_amount_krw_million) as book_amount_krw_million,
        sum(special_account_krw_million) as special_account_krw_million,
        coalesce(
            sum(line_amount_krw_million) filter (where special_account_krw_million <> 0), 0
        ) as account_lines_amount_krw_million,
        count(*) filter (where special_account_krw_million <> 0) as n_account_lines,
        count(*) as n_lines
    from book_rows
    group by source_file
)

select * from final
