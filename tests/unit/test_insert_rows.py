"""``core.sql.insert_rows``: every value bound, exactly, in the columns named."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from pipelines.core.sql import insert_rows


def test_rows_land_exactly_with_their_nulls_and_hostile_text() -> None:
    with duckdb.connect() as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.t (name varchar, n integer, amount decimal(38, 6), note varchar)"
        )
        rows = [
            ["x'); drop table raw.t; --", 1, Decimal("999999999999.123456"), None],
            ["", None, Decimal("0.4"), "비고"],
        ]
        insert_rows(con, "raw.t", rows)
        insert_rows(con, "raw.t", [])  # nothing to insert: nothing happens
        insert_rows(con, "raw.t", [[Decimal("1.5"), "only these"]], ["amount", "note"])
        landed = con.execute("select * from raw.t order by amount").fetchall()
    assert landed == [
        ("", None, Decimal("0.400000"), "비고"),
        (None, None, Decimal("1.500000"), "only these"),
        ("x'); drop table raw.t; --", 1, Decimal("999999999999.123456"), None),
    ]
