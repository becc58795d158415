"""The consolidation model: units keyed by natural key, source files with their row counts, a run's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iupjong_xl import rulebook
from iupjong_xl.validate.findings import Finding

if TYPE_CHECKING:
    import pandas as pd

CLUB_SHEETS = ("club", "member", "activity", "result", "consortium")  # the sheets of a club report
FEDERATION_SHEETS = ("federation", "roster")  # the sheets of a federation report
ALL_SHEETS = (*CLUB_SHEETS, *FEDERATION_SHEETS)  # every data sheet of a consolidated workbook, in order
KEY_COLUMNS = ("year", "federation", "club_code")
PROVENANCE = ("_source", "_sheet", "_row", "_sha256", "_template", "_run")


def data_columns(book: rulebook.RuleBook, sheet: str) -> list[str]:
    """Column keys of a consolidated data sheet: natural-key columns, the rule-book columns, provenance."""
    return [*KEY_COLUMNS, *(c.key for c in book.sheets[sheet].columns if c.key not in KEY_COLUMNS), *PROVENANCE]


STATUSES = ("created", "replaced", "unchanged", "kept", "rejected", "conflict", "duplicate")


@dataclass
class Unit:
    """One keyed unit of consolidation: a club report (key: year, club code) or a federation roster (year, name)."""

    kind: str  # "club" | "federation"
    key: tuple[int, str]
    federation: str
    sha256: str
    source: str  # display path of the file the rows came from originally
    rows: dict[str, list[dict[str, Any]]]  # sheet key -> rows (typed values + key columns + provenance)
    via: str | None = None  # the workbook that carried it (federation/national workbook), None for a direct file
    version_id: int | None = None  # its version in the ledger, once recorded


@dataclass
class SourceFile:
    """One input file: what it was, what became of it, and its rows per sheet (in = accepted + rejected)."""

    file: str
    path: str
    sha256: str | None = None
    kind: str | None = None
    federation: str | None = None
    club_code: str | None = None
    template_version: str | None = None
    status: str = "rejected"
    outcomes: list[str] = field(default_factory=list)  # one per unit the file brought
    rows_in: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)


@dataclass
class Consolidation:
    """Everything a consolidation run produces; outputs/workbook.py writes it, the service describes it."""

    book: rulebook.RuleBook
    year: int
    level: str
    content_hash: str  # 12 hex digits over the inputs' sha256, the rule-book version and the level (not the ledger's run)
    units: dict[tuple[str, tuple[int, str]], Unit]
    sources: list[SourceFile]
    findings: list[Finding]
    rejected_rows: list[dict[str, Any]]
    scores: dict[str, float]  # funding request key -> evaluation score typed in the 지원금 sheet
    target_federation: str | None = None
    score_titles: dict[str, str] = field(default_factory=dict)  # request key -> title the score was typed for
    # Files of earlier runs whose rows are still in the output (출처 "kept"), with their findings and rejected
    # rows: written to the workbook, not counted in this run's summary.
    kept_sources: list[SourceFile] = field(default_factory=list)
    kept_findings: list[Finding] = field(default_factory=list)
    kept_rejected: list[dict[str, Any]] = field(default_factory=list)
    # Kept from the workbook people edited, as the ledger holds them: columns added by hand (sheet key ->
    # [(header, row id -> value)]) and the log of corrections / restored / added rows shown on 수정 이력.
    extra_columns: dict[str, list[tuple[str, dict[Any, Any]]]] = field(default_factory=dict)
    edit_log: list[dict[str, Any]] = field(default_factory=list)
    # The cell-level changes of this run shown on 변경 내역: rows added/removed and cells changed in each report this
    # run replaced (against the version it replaced), and the hand corrections the ledger recorded.
    changes: list[dict[str, Any]] = field(default_factory=list)
    files_reused: int = 0  # input files the ledger held unchanged: not read again
    run: int | None = None  # the ledger's run number (실행 #N) that produced it; None without a ledger
    # clubs whose files in this run conflict (two different reports of one club): (federation, club code) -> files
    conflicts: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # What people typed that breaks its column's rule: shown in its cell as typed (never silently reverted) while the
    # derived tables use the last valid value (invalid_cells: row id -> column key -> typed value) or count the
    # request as unscored (invalid_scores: request key -> typed score).
    invalid_cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    invalid_scores: dict[str, Any] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[dict[str, Any]]:
        """The consolidated rows of one sheet key, sorted by federation order, club code and source row."""
        order = {f: i for i, f in enumerate(self.book.references["federation"].keys)}
        units = sorted(self.units.values(), key=lambda u: (order.get(u.federation, 99), u.federation, u.key[1]))
        return [r for u in units for r in u.rows.get(sheet, [])]

    def frames(self) -> dict[str, pd.DataFrame]:
        """The consolidated rows per sheet key as frames (object dtype: ints stay ints, blanks stay None)."""
        import pandas as pd

        out: dict[str, pd.DataFrame] = {}
        for sheet in ALL_SHEETS:
            cols = data_columns(self.book, sheet)
            rows = self.rows(sheet)
            df = pd.DataFrame(rows, columns=cols, dtype=object) if rows else pd.DataFrame(columns=cols, dtype=object)
            out[sheet] = df.where(df.notna(), None) if rows else df
        return out

    def summary(self) -> dict[str, Any]:
        counts = dict.fromkeys(STATUSES, 0)
        for s in self.sources:
            counts[s.status] = counts.get(s.status, 0) + 1
        counts["kept"] += len(self.kept_sources)
        rows_in = sum(sum(s.rows_in.values()) for s in self.sources)
        accepted = sum(sum(s.accepted.values()) for s in self.sources)
        rejected = sum(sum(s.rejected.values()) for s in self.sources)
        return {
            "year": self.year, "level": self.level, "run": self.run, "content_hash": self.content_hash,
            "run_id": self.content_hash,  # deprecated alias of content_hash (it was never the ledger's run)
            "files": len(self.sources),
            **counts, "conflicts": counts["conflict"],
            "rows_in": rows_in, "rows_accepted": accepted, "rows_rejected": rejected,
            "club_reports": sum(1 for u in self.units.values() if u.kind == "club"),
            "files_reused": self.files_reused,
            "errors": sum(f.severity == "error" for f in self.findings),
            "warnings": sum(f.severity == "warning" for f in self.findings),
        }


@dataclass
class Previous:
    """A consolidated workbook read back: its units (by natural key), scores typed in 지원금, and its other sheets."""

    path: Path
    level: str
    year: int
    content_hash: str
    target_federation: str | None
    units: dict[tuple[str, tuple[int, str]], Unit]
    scores: dict[str, float]
    score_titles: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)
    shown_scores: dict[str, float | None] | None = None  # what 지원금 showed when the ledger wrote it (None: unknown)
    reusable: bool = False  # recorded by this program and rule book: its unchanged files need not be read again
    invalid_cells: dict[str, dict[str, Any]] = field(default_factory=dict)  # as on Consolidation
    invalid_scores: dict[str, Any] = field(default_factory=dict)
    view: dict[str, Any] = field(default_factory=dict)  # the rest of the ledger's view state (changes, edit log ...)

    def club_units(self) -> list[Unit]:
        """Every unit it carries (club reports and federation profiles with their rosters), in key order."""
        return [u for (kind, _k), u in sorted(self.units.items()) if kind in ("club", "federation")]
