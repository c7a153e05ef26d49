-- The local governments the reference list holds in each fiscal year a local budget book is loaded
-- for: the denominators of the coverage (a 시·도's governments, a level's) and of the comparison
-- with the summary table. A government renamed or moved has one row per year, under that year's
-- 시·도.
with

book_years as (
    select distinct fiscal_year from {{ ref('stg_raw__local_books') }}
),

governments as (
    select * from {{ ref('ref_local_governments') }}
),

final as (
    select
        book_years.fiscal_year,
        governments.government_code,
        governments.level as level_code,
        governments.sido_code
    from book_years
    inner join governments
        on
            book_years.fiscal_year >= coalesce(governments.first_year, book_years.fiscal_year)
            and book_years.fiscal_year <= coalesce(governments.last_year, book_years.fiscal_year)
)

select * from final
