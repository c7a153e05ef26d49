{#-
  Budget lines are reprocessed by fiscal year. The ingest step writes the run's years into the
  landing database (`landing.raw.run_fiscal_years`); an incremental model first deletes those
  years, then inserts what the landing holds for them. A full refresh builds into a new file, where
  no model is incremental yet. (Years come from a table, not a dbt variable, so that dbt's partial
  parsing stays valid from one run to the next.)
-#}
{% macro run_fiscal_years() -%}
    select fiscal_year from landing.raw.run_fiscal_years
{%- endmacro %}

{#- pre_hook of incremental models: drop the rows of the years this run reprocesses. -#}
{% macro delete_reprocessed_fiscal_years() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where fiscal_year in ({{ run_fiscal_years() }})
    {%- endif -%}
{%- endmacro %}
