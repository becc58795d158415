"""The use cases, run the same way for the command line and the Excel add-in: each one reads, merges, derives and
writes, and returns plain data. Nothing here prints, exits or knows about options or message boxes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iupjong_xl.consolidate.derive import Derived
    from iupjong_xl.consolidate.model import Consolidation
    from iupjong_xl.validate.findings import Report

Progress = Callable[[str], None]


@dataclass
class Run:
    """What a consolidation or refresh produced: the consolidation, its derived tables and their description."""

    cons: Consolidation
    derived: Derived
    data: dict[str, Any]  # consolidate.derive.describe(): the JSON contract of a run
    output: Path
    written: bool


def consolidate(inputs: Iterable[str | os.PathLike[str]], output: str | os.PathLike[str], *, level: str = "national",
                year: int | None = None, dry_run: bool = False, lang: str = "ko",
                progress: Progress | None = None) -> Run:
    """Validate the inputs, merge them into what `output` holds, derive indicators and funding, write `output`
    atomically (unless dry_run)."""
    from iupjong_xl.consolidate.derive import derive, describe
    from iupjong_xl.consolidate.merge import consolidate as merge
    from iupjong_xl.outputs import workbook

    out = Path(output)
    cons = merge([str(p) for p in inputs], year=year, level=level, output=out, progress=progress)
    derived = derive(cons)
    if not dry_run:
        workbook.write_workbook(cons, out, derived)
    data = describe(cons, derived, lang)
    data["summary"]["dry_run"] = dry_run
    data["summary"]["output"] = str(output)
    return Run(cons, derived, data, out, not dry_run)


def refresh(path: str | os.PathLike[str], *, lang: str = "ko") -> Run:
    """Re-read a consolidated workbook's data sheets and typed scores, recompute indicators and the funding round,
    and rewrite it in place."""
    from iupjong_xl.consolidate.derive import derive, describe
    from iupjong_xl.consolidate.readback import load_for_refresh
    from iupjong_xl.outputs import workbook

    cons = load_for_refresh(path)
    derived = derive(cons)
    workbook.write_workbook(cons, path, derived)
    return Run(cons, derived, describe(cons, derived, lang), Path(path), True)


def derive_copy(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> Run:
    """Read a consolidated workbook (e.g. a snapshot of the one open in Excel), recompute it, and write the result
    to another file (the add-in copies the derived sheets back into the open workbook)."""
    from iupjong_xl.consolidate.derive import derive, describe
    from iupjong_xl.consolidate.readback import load_for_refresh
    from iupjong_xl.outputs import workbook

    cons = load_for_refresh(source)
    derived = derive(cons)
    out = workbook.write_workbook(cons, target, derived)
    return Run(cons, derived, describe(cons, derived), out, True)


def validate(paths: Iterable[str | os.PathLike[str]], *, year: int | None = None, max_rows: int | None = None,
             progress: Progress | None = None) -> Report:
    """Validate report files or folders: every finding with file, sheet, cell, code and message."""
    from iupjong_xl.validate.pipeline import validate as run

    return run([str(p) for p in paths], year=year, max_rows=max_rows, progress=progress)
