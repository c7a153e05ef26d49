"""Synthetic local budget books in the 세출 검색용 layout, written by the tests (not in data_raw/).

The layout is the one a real book has (``data_raw/local_budget_books/``, the 구리시 2025 third
supplementary book; docs/research/local_budget_books.md §2.1): a title row, a unit row, the header
on one row or two (the funding names under a merged group), then one row per 세부사업 × 통계목 ×
산출근거. The projects and amounts are made up and marked so.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

LABELS = (
    "회계연도", "예산구분", "회계구분명", "부서명", "세부사업명", "통계목코드", "통계목명",
    "산출근거", "예산액", "기정액", "비교증감",
)  # fmt: skip
SPECIAL_ACCOUNT_TODAY = "지역균형발전특별회계보조금"
FUNDING = (
    "국고보조금", SPECIAL_ACCOUNT_TODAY, "기금보조금", "특별교부세", "광역보조금", "특별조정교부금",
    "자체재원",
)  # fmt: skip
GROUP = "비교증감(재원별)"


@dataclass(frozen=True)
class Row:
    """One row: amounts in 천원; the special account's part, the national subsidy, and the rest
    from the government's own revenue unless ``own`` says otherwise (then the row may not add
    up, on purpose)."""

    project: str
    basis: str
    budget: int
    prior: int = 0
    special: int = 0
    national: int = 0
    own: int | None = None
    account: str = "일반회계"
    department: str = "균형발전과(가상)"
    item_code: str = "307-02"
    item_name: str = "민간경상사업보조"
    label: str | None = None  # a first label instead of the year (합계 for a printed total)

    def amounts(self, split_change: bool) -> list[int]:
        change = self.budget - self.prior
        split = change if split_change else self.budget
        own = split - self.special - self.national if self.own is None else self.own
        return [self.budget, self.prior, change, self.national, self.special, 0, 0, 0, 0, own]


@dataclass
class Book:
    year: int = 2025
    phase: str = "추경3회"
    special_label: str = SPECIAL_ACCOUNT_TODAY
    rows: list[Row] = field(default_factory=list)
    title: str = "2025년도 제3회 추가경정 예산서 (가상 시, 시험용)"
    unit_row: str | None = "(단위 : 천원)"
    two_row_header: bool = True
    split_change: bool = True
    extra_columns: tuple[str, ...] = ()

    def funding(self) -> list[str]:
        return [self.special_label if name == SPECIAL_ACCOUNT_TODAY else name for name in FUNDING]

    def header_rows(self) -> list[list[str]]:
        labels = [*LABELS, *self.extra_columns]
        if not self.two_row_header:
            return [[*labels, *self.funding()]]
        group = "비교증감(재원별)" if self.split_change else "예산액(재원별)"
        return [
            [*labels, group, *[""] * (len(FUNDING) - 1)],
            ["" for _ in labels] + self.funding(),
        ]

    def data_rows(self) -> list[list[object]]:
        out: list[list[object]] = []
        for row in self.rows:
            first = [row.label or str(self.year), "" if row.label else self.phase]
            labels = [row.account, row.department, row.project, row.item_code, row.item_name]
            extra = ["" for _ in self.extra_columns]
            out.append([*first, *labels, row.basis, *row.amounts(self.split_change)[:3], *extra,
                        *row.amounts(self.split_change)[3:]])  # fmt: skip
        return out

    def width(self) -> int:
        return len(LABELS) + len(self.extra_columns) + len(FUNDING)


def sample_rows() -> list[Row]:
    """Three projects (made up): one the account funds in part under a heading, one it funds
    alone, one it does not fund."""
    return [
        Row("가상 돌봄센터 운영(시험)", "○돌봄센터 운영비", 25600, 24000, own=0),  # a heading
        Row("가상 돌봄센터 운영(시험)", "ｏ1호 운영비", 12800, 12000, special=400, national=0),
        Row("가상 돌봄센터 운영(시험)", "ｏ2호 운영비", 12800, 12000, special=400, national=0),
        Row("가상 상품권 발행(시험)", "○상시 인센티브", 1270000, 0, special=1270000),
        Row("가상 청사 관리(시험)", "○청사 유지보수", 45000, 40000),
    ]


def write_xlsx(path: Path, book: Book) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet0"
    width = book.width()
    sheet.append([book.title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width - 3)
    sheet.append([])
    sheet.append([None] * (width - 1) + [book.unit_row] if book.unit_row else [])
    header = book.header_rows()
    for row in header:
        sheet.append([value or None for value in row])
    if book.two_row_header:
        labels = len(LABELS) + len(book.extra_columns)
        for column in range(1, labels + 1):
            sheet.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
        sheet.merge_cells(start_row=4, start_column=labels + 1, end_row=4, end_column=width)
    for row in book.data_rows():
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_csv(path: Path, book: Book, encoding: str = "cp949") -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([book.title])
    if book.unit_row:
        writer.writerow([book.unit_row])
    for row in book.header_rows():
        writer.writerow(row)
    for row in book.data_rows():
        writer.writerow(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def registry_entry(file: str, government: str, **extra: str) -> str:
    """A ``sources:`` entry for a book in ``data_raw/local_budget_books/``."""
    lines = [
        f"  - file: local_budget_books/{file}",
        "    format: local_budget_book",
        f"    government: '{government}'",
        "    title: 가상 예산서 (synthetic, for tests)",
        "    publisher: a synthetic local government",
        *(f"    {key}: {value}" for key, value in extra.items()),
    ]
    return "\n".join(lines) + "\n"


def register_book(raw: Path, file: str, government: str, **extra: str) -> None:
    """Add a book's entry under ``sources:`` of ``raw``'s registry (before ``line_files:``)."""
    registry = raw / "sources.yml"
    text = registry.read_text(encoding="utf-8")
    entry = registry_entry(file, government, **extra)
    head, marker, tail = text.partition("\nline_files:\n")
    registry.write_text(head.rstrip("\n") + "\n" + entry + marker + tail, encoding="utf-8")
