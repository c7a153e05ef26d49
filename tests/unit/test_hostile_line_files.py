"""Budget-line files with hostile names: their names stay names, never SQL, never patterns.

Every test lands real files through DuckDB, from a working directory of its own, and then looks
for the file the injected SQL would write: it must appear nowhere.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pytest

from pipelines.core.errors import SourceError
from pipelines.landing.budget_lines import land_lines, record_line_files
from pipelines.landing.line_files import find_line_files

HEADER = (
    "fiscal_year,account_code,level_code,organisation_kind,organisation_code,programme_code,"
    "phase,amount_krw_million"
)
ROWS = [
    '2018,local_autonomous,city_province,city_province,ORG0001,PRG00001,enacted,"1,200"',
    "2018,local_autonomous,city_province,city_province,ORG0001,PRG00002,enacted,300",
]
PWNED = "PWNED.csv"
# The name from the report of the fault: closes the string and the call, runs a COPY, reopens.
INJECTION = "x{ext}'));copy(select 42 as pwned) to '" + PWNED + "';select … read_csv('x{ext}"
NAMES = ["o'brien{ext}", "semi;colon; drop table x;{ext}", "back\\slash{ext}", INJECTION]


def _write(folder: Path, name: str, rows: list[str]) -> Path:
    """A line file ``name`` in ``folder``: CSV as written, Parquet converted by DuckDB."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    csv = folder / ".source.csv"
    csv.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    if name.endswith(".parquet"):
        with duckdb.connect() as con:
            con.execute(
                "copy (select * from read_csv($csv, header = true, thousands = ',')) to $target "
                "(format parquet)",
                {"csv": str(csv), "target": str(path)},
            )
        csv.unlink()
    else:
        csv.rename(path)
    return path


def _no_pwned_file(*folders: Path) -> None:
    # os.walk, not rglob: the system's temporary folder is shared with the other test worker,
    # whose folders come and go while this looks (a folder gone is no file written)
    for folder in folders:
        found = [Path(top) / PWNED for top, _, files in os.walk(folder) if PWNED in files]
        assert not found, f"{PWNED} was written under {folder}: {found}"


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty folder of the test's own: a relative COPY target would land here."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.mark.parametrize("ext", [".csv", ".parquet"])
@pytest.mark.parametrize("template", NAMES)
def test_a_file_named_with_quotes_semicolons_or_sql_loads_as_itself(
    tmp_path: Path, elsewhere: Path, template: str, ext: str
) -> None:
    name = template.format(ext=ext)
    raw = tmp_path / "raw"
    _write(raw / "budget_lines" / "2018", name, ROWS)
    files = find_line_files(raw, [2018])
    assert [file.source_file for file in files] == [f"budget_lines/2018/{name}"]
    with duckdb.connect(str(tmp_path / "landing.duckdb")) as con:
        landed = land_lines(con, files, [2018])
        rows = con.execute(
            "select source_file, programme_code, amount_krw_million from raw.budget_lines "
            "order by all"
        ).fetchall()
    assert rows == [
        (f"budget_lines/2018/{name}", "PRG00001", 1200),
        (f"budget_lines/2018/{name}", "PRG00002", 300),
    ]
    assert landed.line_count == 2
    # The build records the file under its own name, with the landing attached by path.
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        con.execute(
            "attach $path as landing (read_only)", {"path": str(tmp_path / "landing.duckdb")}
        )
        record_line_files(con, "landing", files, landed)
        recorded = con.execute(
            "select source_file, fiscal_year, line_count from raw.budget_line_files"
        ).fetchall()
    assert recorded == [(f"budget_lines/2018/{name}", 2018, 2)]
    _no_pwned_file(tmp_path, elsewhere, Path(tempfile.gettempdir()))
    assert not Path(os.getcwd(), PWNED).exists()


@pytest.mark.parametrize("ext", [".csv", ".parquet"])
def test_a_bad_line_in_a_file_named_with_sql_is_named_by_file_and_line(
    tmp_path: Path, elsewhere: Path, ext: str
) -> None:
    """The search for the first bad line reads the file again: that read binds its path too."""
    name = INJECTION.format(ext=ext)
    raw = tmp_path / "raw"
    bad = ROWS[1].replace("enacted", "enactd")
    path = _write(raw / "budget_lines" / "2018", name, [ROWS[0], bad])
    with duckdb.connect() as con, pytest.raises(SourceError) as error:
        land_lines(con, find_line_files(raw, [2018]), [2018])
    assert error.value.file == str(path)
    place = "line 3" if ext == ".csv" else "row 2"
    assert error.value.place == f"{place}, column phase"
    _no_pwned_file(tmp_path, elsewhere, Path(tempfile.gettempdir()))


@pytest.mark.parametrize("name", ["x*.csv", "lines[1].csv", "what?.parquet", "{a,b}.csv"])
def test_a_file_name_duckdb_would_read_as_a_pattern_is_refused_by_name(
    tmp_path: Path, name: str
) -> None:
    raw = tmp_path / "raw"
    folder = raw / "budget_lines" / "2018"
    _write(folder, "xa.csv", ROWS)
    _write(folder, name, ROWS)
    with pytest.raises(SourceError) as error:
        find_line_files(raw, [2018])
    assert error.value.file == str(folder / name)
    assert error.value.place == "file name"
    assert "rename the file" in error.value.expected


def test_a_symlinked_line_file_is_refused_not_followed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    outside = _write(tmp_path / "outside", "lines.csv", ROWS)
    folder = raw / "budget_lines" / "2018"
    folder.mkdir(parents=True)
    (folder / "lines.csv").symlink_to(outside)
    with pytest.raises(SourceError) as error:
        find_line_files(raw, [2018])
    assert error.value.file == str(folder / "lines.csv")
    assert error.value.found == "a symbolic link"


def test_a_symlinked_year_folder_is_refused_not_followed(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _write(tmp_path / "outside" / "2018", "lines.csv", ROWS)
    (raw / "budget_lines").mkdir(parents=True)
    (raw / "budget_lines" / "2018").symlink_to(tmp_path / "outside" / "2018")
    with pytest.raises(SourceError) as error:
        find_line_files(raw, [2018])
    assert error.value.file == str(raw / "budget_lines" / "2018")
    assert error.value.found == "a symbolic link"


def test_a_symlinked_budget_lines_folder_is_refused(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    _write(tmp_path / "outside" / "2018", "lines.csv", ROWS)
    raw.mkdir()
    (raw / "budget_lines").symlink_to(tmp_path / "outside")
    with pytest.raises(SourceError) as error:
        find_line_files(raw, [2018])
    assert error.value.file == str(raw / "budget_lines")


def test_the_sensor_does_not_follow_links_but_notices_them(tmp_path: Path) -> None:
    from pipelines.core.checksums import file_sha256
    from pipelines.lifecycle.run_inputs import raw_file_states

    raw = tmp_path / "raw"
    folder = raw / "budget_lines" / "2018"
    _write(folder, "lines.csv", ROWS)
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("not for the warehouse\n", encoding="utf-8")
    (folder / "linked.csv").symlink_to(secret)
    (raw / "budget_lines" / "2019").symlink_to(secret.parent)
    states = raw_file_states(raw)
    assert sorted(states) == [
        "budget_lines/2018/lines.csv",
        "budget_lines/2018/linked.csv",
        "budget_lines/2019",
    ]
    assert states["budget_lines/2018/lines.csv"][0] == file_sha256(folder / "lines.csv")
    # The link counts by where it points, never by the content of its target.
    assert states["budget_lines/2018/linked.csv"][0] != file_sha256(secret)
    (folder / "linked.csv").unlink()
    (folder / "linked.csv").symlink_to(tmp_path / "elsewhere.txt")
    changed = raw_file_states(raw)
    assert changed["budget_lines/2018/linked.csv"] != states["budget_lines/2018/linked.csv"]


def test_years_without_line_files_land_nothing(tmp_path: Path) -> None:
    with duckdb.connect() as con:
        landed = land_lines(con, find_line_files(tmp_path / "raw", [2018, 2019]), [2018, 2019])
        years = con.execute("select fiscal_year from raw.run_fiscal_years order by 1").fetchall()
    assert (landed.line_count, landed.files, years) == (0, {}, [(2018,), (2019,)])
