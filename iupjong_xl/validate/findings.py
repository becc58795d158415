"""Findings (one problem at one place) and the Report a validation run returns; messages rendered in ko/en."""

from __future__ import annotations

import itertools
import string
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from iupjong_xl.io.a1 import col_index
from iupjong_xl.rulebook import RuleBook
from iupjong_xl.rulebook.codes import MessageArgumentError, message_args

SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place: file, sheet, A1 cell, row, column header, stable code, severity, message, value."""

    file: str
    sheet: str | None
    cell: str | None
    row: int | None
    column: str | None
    code: str
    severity: str
    messages: dict[str, str]
    value: str | None = None
    record: int | None = None  # index of the data record (table row) the finding belongs to, for consolidation

    def message(self, lang: str = "ko") -> str:
        return self.messages.get(lang) or self.messages["ko"]

    def to_dict(self, lang: str = "ko") -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message(lang),
            "value": self.value,
        }

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.sheet or "", self.row or 0, _col_index(self.cell), self.code, self.value or "")


def _col_index(cell: str | None) -> int:
    """The column of an A1 reference, for sorting (1-based; 0 when there is no cell)."""
    letters = "".join(itertools.takewhile(str.isalpha, cell or ""))
    try:
        return col_index(letters) + 1
    except ValueError:  # no cell, or not a reference: first
        return 0


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, params: dict[str, Any]) -> str:
    """Format a message template; a placeholder whose value is missing or of the wrong kind stays readable."""
    try:
        return string.Formatter().vformat(template, (), _SafeDict(params))
    except (ValueError, TypeError, KeyError):
        plain = {k: ("" if v is None else str(v)) for k, v in params.items()}
        simple = "".join(
            lit + ("" if name is None else "{" + name + "}")
            for lit, name, _spec, _conv in string.Formatter().parse(template)
        )
        return string.Formatter().vformat(simple, (), _SafeDict(plain))


class FindingFactory:
    """Builds findings for one rule book: looks up severity and message templates by code."""

    def __init__(self, book: RuleBook) -> None:
        self.book = book
        self._codes = book.all_codes()
        self._args: dict[str, frozenset[str]] = {}

    def _declared(self, code: str) -> frozenset[str]:
        if code not in self._args:
            self._args[code] = message_args(self.book, code)
        return self._args[code]

    def make(
        self,
        code: str,
        file: str,
        *,
        sheet: str | None = None,
        cell: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        record: int | None = None,
        severity: str | None = None,
        i18n: dict[str, dict[str, Any]] | None = None,
        **params: Any,
    ) -> Finding:
        sev, templates = self._codes[code]
        per_lang = [set((i18n or {}).get(lang, {})) for lang in templates]
        missing = self._declared(code) - set(params) - per_lang[0].intersection(*per_lang[1:])
        if missing:
            raise MessageArgumentError(f"{code}: the finding is built without {sorted(missing)}")
        shown = None if value is None or value == "" else _show(value)
        base: dict[str, Any] = {"file": file, "sheet": sheet, "cell": cell, "row": "" if row is None else row,
                                "column": column, "value": "" if shown is None else shown}
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            base["value"] = value
        base.update(params)
        messages = {lang: render(t, {**base, **(i18n or {}).get(lang, {})}) for lang, t in templates.items()}
        return Finding(file, sheet, cell, row, column, code, severity or sev, messages, shown, record)


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


@dataclass
class FileResult:
    """What validation learned about one file (used by consolidation later)."""

    file: str
    path: str
    kind: str | None = None
    template_version: str | None = None
    year: int | None = None
    rows: dict[str, int] = field(default_factory=dict)  # sheet key -> data rows read
    readable: bool = False


@dataclass
class Report:
    """The result of a validation run: valid, stats and every finding."""

    findings: list[Finding]
    files: list[FileResult]

    @property
    def valid(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def stats(self) -> dict[str, int]:
        sev = Counter(f.severity for f in self.findings)
        bad = {f.file for f in self.findings if f.severity == "error"}
        return {
            "files": len(self.files),
            "files_valid": sum(1 for fr in self.files if fr.file not in bad),
            "rows": sum(sum(fr.rows.values()) for fr in self.files),
            "errors": sev.get("error", 0),
            "warnings": sev.get("warning", 0),
        }

    def to_dict(self, lang: str = "ko") -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stats": self.stats,
            "findings": [f.to_dict(lang) for f in self.findings],
        }

    def by_file(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {fr.file: [] for fr in self.files}
        for f in self.findings:
            out.setdefault(f.file, []).append(f)
        return out
