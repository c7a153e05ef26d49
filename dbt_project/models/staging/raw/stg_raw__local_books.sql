-- One row per local budget book, with its government as the reference list names it in the
-- book's year (the registry entry names the government; ingest refused a code not listed).
with

source as (
    select * from {{ source('raw', 'local_books') }}
),

governments as (
    select * from {{ ref('ref_local_governments') }}
),

joined as (
    select
        source.source_file,
        source.source_sha256,
        source.government_code,
        governments.name_ko as government_name_ko,
        governments.full_name_ko as government_full_name_ko,
        governments.name_en as government_name_en,
        governments.level as level_code,
        governments.sido_code,
        governments.sido_name_ko,
        governments.sido_name_en,
        source.phase,
        source.phase_printed,
        source.split_basis,
        source.unit_label,
        source.unit_place,
        source.special_account_column,
        source.special_account_place,
        source.account_name_that_year,
        cast(source.fiscal_year as integer) as fiscal_year,
        cast(source.header_rows as integer) as header_rows
    from source
    inner join governments
        on
            source.government_code = governments.government_code
            and source.fiscal_year >= coalesce(governments.first_year, source.fiscal_year)
            and source.fiscal_year <= coalesce(governments.last_year, source.fiscal_year)
)

select * from joined
