with

source as (
    select * from {{ source('raw', 'plan_declared_counts') }}
),

renamed as (
    select
        source_file,
        source_sha256,
        list_name,
        declared_in,
        basis as declared_basis,
        cast(declared_count as integer) as declared_count,
        cast(parsed_count as integer) as parsed_count
    from source
)

select * from renamed
