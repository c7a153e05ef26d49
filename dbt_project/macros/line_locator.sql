{#- Where a text stands in its file: `<file>:<line>`, or `<file>:<first>-<last>` over lines. -#}
{% macro line_locator(file_column, first_line, last_line) -%}
    {{ file_column }} || ':' || {{ first_line }}
    || case when {{ last_line }} > {{ first_line }} then '-' || {{ last_line }} else '' end
{%- endmacro %}
