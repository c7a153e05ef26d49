-- Ephemeral: the landing database is attached only while a build runs, so nothing published may
-- refer to it.
{{ config(materialized='ephemeral') }}

with

source as (
    select * from {{ source('landing', 'budget_lines') }}
),

renamed as (
    select
        fiscal_year,
        account_code,
        level_code,
        organisation_kind,
        organisation_code,
        programme_code,
        phase,
        source_file,
        amount_krw_million,
        is_subtotal,
        line_source,
        source_place,
        account_name_that_year,
        sub_account_name_that_year,
        account_mapping,
        field_name,
        sector_name,
        programme_name,
        unit_project_name,
        detail_project_name
    from source
)

select * from renamed
