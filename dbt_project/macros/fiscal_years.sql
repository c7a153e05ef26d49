{#-
  Budget lines are reprocessed by fiscal year. The ingest step writes the run's years into the
  landing database (the source `landing.run_fiscal_years`); an incremental model first deletes
  those years, then inserts what the landing holds for them. A full refresh builds into a new file,
  where no model is incremental yet. (Years come from a table, not a dbt variable, so that dbt's
  partial parsing stays valid from one run to the next.)
-#}
{% macro run_fiscal_years() -%}
    select fiscal_year from {{ source('landing', 'run_fiscal_years') }}
{%- endmacro %}

{#-
  pre_hook of incremental models: drop the rows of the years this run reprocesses. The years'
  query is rendered even when the model is not incremental yet (is_incremental() is false while
  dbt parses), so that dbt's lineage shows the source in every model with this hook.
-#}
{% macro delete_reprocessed_fiscal_years() -%}
    {%- set reprocessed_years = run_fiscal_years() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where fiscal_year in ({{ reprocessed_years }})
    {%- endif -%}
{%- endmacro %}
