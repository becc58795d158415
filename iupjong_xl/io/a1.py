"""A1 references, from one library (xlsxwriter.utility, light to import): 0-based (row, column) <-> "B3"."""

from __future__ import annotations

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell


def col_letter(c: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA", 701 -> "ZZ", 702 -> "AAA"."""
    if c < 0:
        raise ValueError(f"column index must be >= 0, got {c}")
    return str(xl_col_to_name(c))


def a1(r: int, c: int) -> str:
    """0-based (row, column) -> A1 reference, e.g. (2, 1) -> "B3"."""
    if r < 0 or c < 0:
        raise ValueError(f"row and column indexes must be >= 0, got ({r}, {c})")
    return str(xl_rowcol_to_cell(r, c))


def col_index(letters: str) -> int:
    """"A" -> 0, "AA" -> 26 (case-insensitive); the column part of a reference (one to three letters: xlsxwriter
    answers anything else with column A and a warning, so it is refused here)."""
    if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha()):
        raise ValueError(f"not the column letters of a reference: {letters!r}")
    return int(xl_cell_to_rowcol(letters.upper() + "1")[1])
