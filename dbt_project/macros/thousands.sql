{#- A number as text with thousands separators, without a trailing ".0" for whole numbers
    (50 → '50', 50000 → '50,000', 0.5 → '0.5'), for sentences such as `chosen_because`. -#}
{% macro thousands(expression) %}
case
    when ({{ expression }}) = floor({{ expression }})
        then format('{:,}', cast({{ expression }} as bigint))
    else format('{:,}', cast({{ expression }} as double))
end
{% endmacro %}
