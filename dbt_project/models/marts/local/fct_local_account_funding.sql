-- The account by region: the special account's funding in each local government's budget book,
-- by fiscal year × government × phase, with the same lines' amount and the account's share of
-- it, and the coverage of the government's 시·도: how many of its governments have a book of
-- that year and phase loaded. Nothing is extrapolated to a government with no book.
with

books as (
    select * from {{ ref('stg_raw__local_books') }}
),

per_book as (
    select * from {{ ref('int_local_books__line_sums') }}
),

-- Every government of the 시·도 that the list holds for the year (the 시·도 itself included).
sido_governments as (
    select
        fiscal_year,
        sido_code,
        count(*) as governments_in_sido
    from {{ ref('int_local_governments__book_years') }}
    group by all
),

loaded as (
    select
        fiscal_year,
        phase,
        sido_code,
        count(distinct government_code) as governments_loaded
    from books
    group by all
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
        books.account_name_that_year,
        books.special_account_column,
        cast(per_book.special_account_krw_million as decimal(38, 6))
            as special_account_krw_million,
        cast(per_book.account_lines_amount_krw_million as decimal(38, 6))
            as account_lines_amount_krw_million,
        cast(
            case
                when per_book.account_lines_amount_krw_million <> 0
                    then round(
                        100 * per_book.special_account_krw_million
                        / per_book.account_lines_amount_krw_million, 2
                    )
            end as decimal(9, 4)
        ) as share_of_lines_percent,
        cast(per_book.book_amount_krw_million as decimal(38, 6)) as book_amount_krw_million,
        cast(per_book.n_account_lines as integer) as n_account_lines,
        cast(per_book.n_lines as integer) as n_lines,
        cast(loaded.governments_loaded as integer) as governments_loaded_in_sido,
        cast(sido_governments.governments_in_sido as integer) as governments_in_sido,
        books.source_file,
        books.sido_name_en || ': ' || loaded.governments_loaded || ' of '
        || sido_governments.governments_in_sido || ' governments have a book of '
        || books.fiscal_year || ' (' || books.phase || ') loaded'
        || case
            when loaded.governments_loaded < sido_governments.governments_in_sido
                then '; nothing is extrapolated to the others'
            else ''
        end as coverage_note
    from books
    inner join per_book on books.source_file = per_book.source_file
    inner join loaded
        on
            books.fiscal_year = loaded.fiscal_year
            and books.phase = loaded.phase
            and books.sido_code = loaded.sido_code
    inner join sido_governments
        on
            books.fiscal_year = sido_governments.fiscal_year
            and books.sido_code = sido_governments.sido_code
)

select * from final
