"""The rule book as plain dataclasses: sheets, columns, rules, messages, indicators, yearly parameters."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast

from iupjong_xl.errors import RuleBookError

META_SHEET = "_서식정보"  # hidden sheet holding template_id, kind, year, version
CONSOLIDATED_META = "_취합정보"  # hidden sheet of a consolidated (federation/national) workbook: level, year, run id
TYPES = {"text", "int", "float", "date", "bool", "brn", "brn_list"}
COLUMN_CHECKS = ("REQUIRED", "TYPE", "FORMAT", "CHECKSUM", "ALLOWED", "RANGE", "PATTERN", "DUPLICATE")
SEVERITIES = {"error", "warning"}
LANGS = ("ko", "en")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Reference:
    """A reference list (KSIC divisions, federations, ...) loaded from a CSV file."""

    name: str
    key: str
    rows: tuple[dict[str, str], ...]
    display_format: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(r[self.key] for r in self.rows)

    def display(self, row: dict[str, str]) -> str:
        return self.display_format.format(**row)

    @cached_property
    def displays(self) -> tuple[str, ...]:
        return tuple(self.display(r) for r in self.rows)

    def row(self, key: str) -> dict[str, str] | None:
        return self._index.get(key)

    @cached_property
    def _index(self) -> dict[str, dict[str, str]]:
        return {r[self.key]: r for r in self.rows}

    @cached_property
    def _by_display(self) -> dict[str, str]:
        return {self.display(r): r[self.key] for r in self.rows}

    def lookup(self, value: str) -> str | None:
        """Return the key for a typed value: the key itself, its display text, or display text's leading token."""
        v = " ".join(value.split())
        if v in self._index:
            return v
        if v in self._by_display:
            return self._by_display[v]
        head = re.split(r"[\s.:\-]", v, maxsplit=1)[0]
        head = re.sub(r"^[A-Za-z](?=\d)", "", head)  # "C29" (section letter + division)
        if head.isdigit() and len(head) == 1:
            head = "0" + head
        return head if head in self._index else None


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    header_en: str
    type: str
    code: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    unique: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    severity: dict[str, str] = field(default_factory=dict)
    format: str | None = None
    width: float | None = None
    example: Any = None
    hint_ko: str = ""
    hint_en: str = ""

    def hint(self, lang: str) -> str:
        return self.hint_en if lang == "en" else self.hint_ko

    def label(self, lang: str) -> str:
        return self.header_en if lang == "en" else self.header


@dataclass(frozen=True, slots=True)
class Sheet:
    key: str
    name: str
    name_en: str
    prefix: str
    layout: str  # "form" (label in A, value in B) or "table" (header row, one record per row)
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"sheet {self.key!r} has no column {key!r}")


@dataclass(frozen=True, slots=True)
class ReportKind:
    kind: str
    template_id: str
    title_ko: str
    title_en: str
    file_hint: str
    sheets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    kind: str
    sheet: str
    severity: str
    messages: dict[str, str]
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MessageDef:
    code: str
    severity: str
    messages: dict[str, str]


@dataclass(frozen=True, slots=True)
class Indicator:
    """numerator / denominator × factor over measures counted per federation (no denominator: a count)."""

    key: str
    ko: str
    en: str
    numerator: str
    denominator: str | None
    factor: float
    unit: str
    decimals: int
    paper: float | None

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.ko


@dataclass(frozen=True)
class RuleBook:
    year: int
    version: str
    path: Path
    limits: dict[str, int]
    parameters: dict[str, Any]
    references: dict[str, Reference]
    choices: dict[str, tuple[str, ...]]
    reports: dict[str, ReportKind]
    sheets: dict[str, Sheet]
    rules: tuple[Rule, ...]
    checks: dict[str, MessageDef]
    codes: dict[str, MessageDef]
    indicators: tuple[Indicator, ...] = ()
    measures: dict[str, Any] = field(default_factory=dict)
    funding_reasons: dict[str, dict[str, str]] = field(default_factory=dict)
    _memo: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def memo(self, key: Hashable, make: Callable[[], _T]) -> _T:
        """What a stage derives from this rule book (a finding factory, a sheet's pandera schema), made once per
        loaded book. The cache lives and dies with the book: a book loaded from another folder (use_root) starts
        empty, so no stage ever serves the messages of a rule book it was not given; a worker process (forked or
        spawned) loads its own book and so its own cache."""
        if key not in self._memo:
            self._memo[key] = make()
        return cast(_T, self._memo[key])

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}  # derived objects stay with their process

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _memo={})

    def param(self, ref: Any) -> Any:
        """Resolve '$year' / '$funding.max_total_won' style references; other values pass through."""
        if not (isinstance(ref, str) and ref.startswith("$")):
            return ref
        if ref == "$year":
            return self.year
        node: Any = self.parameters
        for part in ref[1:].split("."):
            if not isinstance(node, dict) or part not in node:
                raise RuleBookError(f"규칙집 {self.path}의 parameters:에 {ref}이(가) 없습니다.",
                                    f"{self.path}: unknown parameter {ref}", file=str(self.path / "rulebook.yaml"))
            node = node[part]
        return node

    def bands(self, name: str) -> tuple[tuple[int, str], ...]:
        """A size-band parameter of the directory (employee_bands, sales_bands_mwon): (lowest value, label),
        ascending."""
        raw = self.parameters.get("directory", {}).get(name)
        if not raw:
            raise RuleBookError(f"규칙집 {self.path}: parameters.directory.{name}이(가) 없습니다.",
                                f"{self.path}: no parameters.directory.{name}", file=str(self.path))
        return tuple((int(lo), str(label)) for lo, label in raw)

    def report_sheets(self, kind: str) -> list[Sheet]:
        return [self.sheets[k] for k in self.reports[kind].sheets]

    def report_for_template(self, template_id: str) -> ReportKind | None:
        for r in self.reports.values():
            if r.template_id == template_id:
                return r
        return None

    def column_codes(self) -> dict[str, tuple[Sheet, Column, str]]:
        """Every column-check code of this rule book -> (sheet, column, check)."""
        out: dict[str, tuple[Sheet, Column, str]] = {}
        for sheet in self.sheets.values():
            for col in sheet.columns:
                for check in column_checks(col):
                    out[f"{sheet.prefix}_{col.code}_{check}"] = (sheet, col, check)
        return out

    def all_codes(self) -> dict[str, tuple[str, dict[str, str]]]:
        """code -> (severity, {lang: template}) for every code the validator can emit."""
        out: dict[str, tuple[str, dict[str, str]]] = {}
        for code, m in self.codes.items():
            out[code] = (m.severity, m.messages)
        for code, (_sheet, col, check) in self.column_codes().items():
            out[code] = (col_severity(self, col, check), self.checks[check_template(col, check)].messages)
        for r in self.rules:
            out[r.code] = (r.severity, r.messages)
        return dict(sorted(out.items()))



def column_checks(col: Column) -> list[str]:
    checks = []
    if col.required:
        checks.append("REQUIRED")
    if col.type in {"int", "float", "date", "bool"}:
        checks.append("TYPE")
    if col.type in {"brn", "brn_list"}:
        checks += ["FORMAT", "CHECKSUM"]
    if (col.choices and col.type != "bool") or col.ref:
        checks.append("ALLOWED")
    if col.min is not None or col.max is not None:
        checks.append("RANGE")
    if col.pattern:
        checks.append("PATTERN")
    if col.unique:
        checks.append("DUPLICATE")
    return checks


def check_template(col: Column, check: str) -> str:
    return f"TYPE_{col.type.upper()}" if check == "TYPE" else check


def col_severity(book: RuleBook, col: Column, check: str) -> str:
    return col.severity.get(check) or book.checks[check_template(col, check)].severity
