-- Local budget books reconciled where they can be:
-- 1. book_total: a book's lines against the total the book itself prints (합계, 총계), on the
--    amount its funding splits and on the special account's column; NOT_COMPARED where the
--    book prints no total.
-- 2. sido: the loaded governments of a 시·도. The summary table states the account's 시·도 and
--    시·군·구 levels for the whole country, never by 시·도, so a 시·도 is NOT_COMPARED, saying how
--    many of its governments are loaded.
-- 3. country: the books of one level (시·도, 시·군·구) against the summary table's level of the
--    Local Autonomous Account (fct_budget_current) only when every government of that level
--    has a book of the year that splits the budget (not a supplementary change); otherwise
--    NOT_COMPARED with why.
with

books as (
    select * from {{ ref('stg_raw__local_books') }}
),

book_rows as (
    select * from {{ ref('stg_raw__local_book_rows') }}
),

current_budget as (
    select * from {{ ref('fct_budget_current') }}
    where account_code = 'local_autonomous'
),

lines as (
    select * from {{ ref('int_local_books__line_sums') }}
),

printed_totals as (
    select
        source_file,
        source_locator,
        line_amount_krw_million as amount_krw_million,
        special_account_krw_million
    from book_rows
    where row_role = 'total'
),

book_total as (
    select
        'book_total' as check_code,
        books.fiscal_year,
        books.phase,
        books.government_code as scope_code,
        books.government_full_name_ko as scope_name_ko,
        books.government_name_en as scope_name_en,
        lines.special_account_krw_million,
        printed_totals.special_account_krw_million as compared_with_krw_million,
        lines.special_account_krw_million - printed_totals.special_account_krw_million
            as difference_krw_million,
        case
            when printed_totals.source_file is null then 'NOT_COMPARED'
            when
                lines.book_amount_krw_million = printed_totals.amount_krw_million
                and lines.special_account_krw_million
                = printed_totals.special_account_krw_million
                then 'MATCH'
            else 'MISMATCH'
        end as status,
        case
            when printed_totals.source_file is null then 'the book prints no total'
            else
                'lines ' || books.split_basis || ' ' || lines.book_amount_krw_million
                || ' against the printed ' || printed_totals.amount_krw_million
                || ' KRW million; the special account ' || lines.special_account_krw_million
                || ' against ' || printed_totals.special_account_krw_million
        end as reason,
        coalesce(printed_totals.source_locator, books.source_file) as source_locator
    from books
    inner join lines on books.source_file = lines.source_file
    left join printed_totals on books.source_file = printed_totals.source_file
),

governments_of_year as (
    select * from {{ ref('int_local_governments__book_years') }}
),

expected_by_sido as (
    select
        fiscal_year,
        sido_code,
        count(*) as n
    from governments_of_year
    group by all
),

expected_by_level as (
    select
        fiscal_year,
        level_code,
        count(*) as n
    from governments_of_year
    group by all
),

sido as (
    select
        'sido' as check_code,
        books.fiscal_year,
        books.phase,
        books.sido_code as scope_code,
        any_value(books.sido_name_ko) as scope_name_ko,
        any_value(books.sido_name_en) as scope_name_en,
        sum(lines.special_account_krw_million) as special_account_krw_million,
        cast(null as decimal(38, 6)) as compared_with_krw_million,
        cast(null as decimal(38, 6)) as difference_krw_million,
        'NOT_COMPARED' as status,
        count(*) || ' of ' || any_value(expected.n) || ' governments loaded: '
        || case
            when count(*) < any_value(expected.n) then 'not compared until all are; even then, '
            else ''
        end
        || 'the summary table states the 시·도 and 시·군·구 levels for the whole country, '
        || 'not by 시·도 (see the country rows)' as reason,
        string_agg(books.source_file, '; ' order by books.source_file) as source_locator
    from books
    inner join lines on books.source_file = lines.source_file
    inner join expected_by_sido as expected
        on books.fiscal_year = expected.fiscal_year and books.sido_code = expected.sido_code
    group by books.fiscal_year, books.phase, books.sido_code
),

country_loaded as (
    select
        books.fiscal_year,
        books.phase,
        books.level_code,
        count(*) as books_loaded,
        count(*) filter (where books.split_basis = 'budget') as books_of_budget,
        sum(lines.special_account_krw_million) as special_account_krw_million,
        string_agg(books.source_file, '; ' order by books.source_file) as source_locator
    from books
    inner join lines on books.source_file = lines.source_file
    group by books.fiscal_year, books.phase, books.level_code
),

country as (
    select
        'country' as check_code,
        loaded.fiscal_year,
        loaded.phase,
        loaded.level_code as scope_code,
        levels.name_ko as scope_name_ko,
        levels.name_en as scope_name_en,
        loaded.special_account_krw_million,
        current_budget.amount_krw_million as compared_with_krw_million,
        loaded.special_account_krw_million - current_budget.amount_krw_million
            as difference_krw_million,
        case
            when
                loaded.books_loaded < expected.n or loaded.books_of_budget < loaded.books_loaded
                or current_budget.amount_krw_million is null
                then 'NOT_COMPARED'
            when
                abs(loaded.special_account_krw_million - current_budget.amount_krw_million)
                <= current_budget.precision_krw_million
                then 'MATCH'
            else 'MISMATCH'
        end as status,
        case
            when loaded.books_loaded < expected.n
                then
                    loaded.books_loaded
                    || ' of '
                    || expected.n
                    || ' governments of this level loaded'
            when loaded.books_of_budget < loaded.books_loaded
                then 'the books split a supplementary change, not the budget'
            when current_budget.amount_krw_million is null
                then 'the warehouse holds no figure of this level for the year'
            else
                'every government loaded, against the value of record ('
                || current_budget.source_locator || '); the books'' column also holds the '
                || 'Local Support Account''s subsidies'
        end as reason,
        loaded.source_locator
    from country_loaded as loaded
    inner join {{ ref('ref_levels') }} as levels on loaded.level_code = levels.level_code
    inner join expected_by_level as expected
        on loaded.fiscal_year = expected.fiscal_year and loaded.level_code = expected.level_code
    left join current_budget
        on
            loaded.fiscal_year = current_budget.fiscal_year
            and loaded.level_code = current_budget.level_code
            and loaded.phase = current_budget.phase
),

final as (
    select * from book_total
    union all by name
    select * from sido
    union all by name
    select * from country
)

select
    check_code,
    fiscal_year,
    phase,
    scope_code,
    scope_name_ko,
    scope_name_en,
    cast(special_account_krw_million as decimal(38, 6)) as special_account_krw_million,
    cast(compared_with_krw_million as decimal(38, 6)) as compared_with_krw_million,
    cast(difference_krw_million as decimal(38, 6)) as difference_krw_million,
    status,
    reason,
    source_locator
from final
