"""Fiscal years, the partitions of the budget lines.

The Special Accounts for Balanced National Development exist since fiscal year 2005. A year's
budget is proposed in the year before, so the partitions run to next year.
"""

import dagster as dg

FIRST_FISCAL_YEAR = "2005"

fiscal_years = dg.TimeWindowPartitionsDefinition(
    start=FIRST_FISCAL_YEAR,
    fmt="%Y",
    cron_schedule="0 0 1 1 *",
    timezone="Asia/Seoul",
    end_offset=2,
)


def all_fiscal_years_tags() -> dict[str, str]:
    """Run tags of a run over every fiscal year (a full refresh processes them in one run)."""
    keys = fiscal_years.get_partition_keys()
    return fiscal_years_range_tags(keys[0], keys[-1])


def fiscal_years_range_tags(first: str, last: str) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": first,
        "dagster/asset_partition_range_end": last,
    }
