"""Load the yearly rule book (validation/<year>/*.yaml + reference CSVs) into plain dataclasses."""

from __future__ import annotations

import csv
import re
import string
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from .errors import RuleBookError

META_SHEET = "_서식정보"  # hidden sheet holding template_id, kind, year, version
CONSOLIDATED_META = "_취합정보"  # hidden sheet of a consolidated (federation/national) workbook: level, year, run id
VALIDATION_DIR = Path(__file__).resolve().parent.parent / "validation"
TYPES = {"text", "int", "float", "date", "bool", "brn", "brn_list"}
COLUMN_CHECKS = ("REQUIRED", "TYPE", "FORMAT", "CHECKSUM", "ALLOWED", "RANGE", "PATTERN", "DUPLICATE")
SEVERITIES = {"error", "warning"}
LANGS = ("ko", "en")


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
class Report:
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
    reports: dict[str, Report]
    sheets: dict[str, Sheet]
    rules: tuple[Rule, ...]
    checks: dict[str, MessageDef]
    codes: dict[str, MessageDef]
    indicators: tuple[Indicator, ...] = ()
    measures: dict[str, Any] = field(default_factory=dict)
    funding_reasons: dict[str, dict[str, str]] = field(default_factory=dict)

    def param(self, ref: Any) -> Any:
        """Resolve '$year' / '$funding.max_total_won' style references; other values pass through."""
        if not (isinstance(ref, str) and ref.startswith("$")):
            return ref
        if ref == "$year":
            return self.year
        node: Any = self.parameters
        for part in ref[1:].split("."):
            if not isinstance(node, dict) or part not in node:
                raise RuleBookError(f"{self.path}: unknown parameter {ref}")
            node = node[part]
        return node

    def report_sheets(self, kind: str) -> list[Sheet]:
        return [self.sheets[k] for k in self.reports[kind].sheets]

    def report_for_template(self, template_id: str) -> Report | None:
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


CHECK_MEANINGS = {
    "REQUIRED": "a required cell is empty",
    "TYPE": "the value cannot be read as the column's type (number, date, yes/no)",
    "FORMAT": "not a 10-digit business registration number",
    "CHECKSUM": "business registration number with a wrong check digit",
    "ALLOWED": "value not in the drop-down list / reference list",
    "RANGE": "number outside the column's min..max",
    "PATTERN": "text not in the expected form (code, phone, e-mail)",
    "DUPLICATE": "value repeats an earlier row of the same file",
}


def codes_markdown(book: RuleBook) -> str:
    """Every code of a rule book as a Markdown table (validation/<year>/CODES.md)."""
    cols = book.column_codes()
    lines = [f"# Rule codes of the {book.year} rule book ({book.version})", "",
             "Generated by `iupjong codes --year {0} --format markdown`; a test keeps it current.".format(book.year), "",
             "| code | severity | sheet · column | meaning | message (ko) |", "|---|---|---|---|---|"]
    for code, (sev, msgs) in book.all_codes().items():
        if code in cols:
            sheet, col, check = cols[code]
            where, meaning = f"{sheet.name} · {col.header}", CHECK_MEANINGS[check]
        else:
            rule = next((r for r in book.rules if r.code == code), None)
            where = book.sheets[rule.sheet].name if rule else "(file)"
            meaning = msgs["en"].replace("|", "/")
        ko = msgs["ko"].replace("|", "/")
        lines.append(f"| `{code}` | {sev} | {where} | {meaning} | {ko} |")
    return "\n".join(lines)


def column_checks(col: Column) -> list[str]:
    checks = []
    if col.required:
        checks.append("REQUIRED")
    if col.type in {"int", "float", "date", "bool"}:
        checks.append("TYPE")
    if col.type in {"brn", "brn_list"}:
        checks += ["FORMAT", "CHECKSUM"]
    if col.choices and col.type != "bool" or col.ref:
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


def available_years(root: Path = VALIDATION_DIR) -> list[int]:
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / "rulebook.yaml").exists())


@cache
def load(year: int, root: Path = VALIDATION_DIR) -> RuleBook:
    """Load and check the rule book of one report year."""
    base = root / str(year)
    if not (base / "rulebook.yaml").exists():
        raise RuleBookError(f"no rule book for {year} in {root} (have: {available_years(root)})")
    doc = _yaml(base / "rulebook.yaml")
    msgs = _yaml(base / "messages.yaml")
    rules_doc = _yaml(base / "rules.yaml")
    if int(doc["year"]) != year:
        raise RuleBookError(f"{base}/rulebook.yaml says year {doc['year']}, folder says {year}")
    refs = {name: _reference(base, name, spec) for name, spec in doc.get("reference", {}).items()}
    choices = {k: tuple(str(x) for x in v) for k, v in doc.get("choices", {}).items()}
    sheets = {key: _sheet(key, spec, refs, choices, year) for key, spec in doc["sheets"].items()}
    reports = {
        kind: Report(kind, r["template_id"], r["title_ko"], r["title_en"], r.get("file_hint", ""), tuple(r["sheets"]))
        for kind, r in doc["reports"].items()
    }
    checks = {k: _message_def(k, v) for k, v in msgs["checks"].items()}
    codes = {k: _message_def(k, v) for k, v in msgs["codes"].items()}
    rules = tuple(_rule(r) for r in rules_doc["rules"])
    book = RuleBook(
        year=year,
        version=str(doc["version"]),
        path=base,
        limits={k: int(v) for k, v in doc.get("limits", {}).items()},
        parameters=doc.get("parameters", {}),
        references=refs,
        choices=choices,
        reports=reports,
        sheets=sheets,
        rules=rules,
        checks=checks,
        codes=codes,
        indicators=tuple(_indicator(i) for i in doc.get("indicators", ())),
        measures=dict(doc.get("measures", {})),
        funding_reasons={k: {lang: v[lang] for lang in LANGS} for k, v in msgs.get("funding", {}).items()},
    )
    _check(book)
    return book


def _yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleBookError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise RuleBookError(f"{path}: expected a mapping at the top")
    return data


def _reference(base: Path, name: str, spec: dict[str, Any]) -> Reference:
    path = (base / spec["file"]).resolve()
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = tuple(dict(r) for r in csv.DictReader(fh))
    except OSError as exc:
        raise RuleBookError(f"reference {name}: {exc}") from exc
    if not rows or spec["key"] not in rows[0]:
        raise RuleBookError(f"reference {name}: {path} has no column {spec['key']!r}")
    return Reference(name, spec["key"], rows, spec.get("display", "{" + spec["key"] + "}"))


def _sheet(key: str, spec: dict[str, Any], refs: dict[str, Reference], choices: dict[str, tuple[str, ...]], year: int) -> Sheet:
    cols = []
    for c in spec["columns"]:
        ctype = c.get("type", "text")
        if ctype not in TYPES:
            raise RuleBookError(f"sheet {key}: column {c.get('key')}: unknown type {ctype!r}")
        if c.get("ref") and c["ref"] not in refs:
            raise RuleBookError(f"sheet {key}: column {c['key']}: unknown reference {c['ref']!r}")
        ch = c.get("choices")
        if isinstance(ch, str):
            if ch not in choices:
                raise RuleBookError(f"sheet {key}: column {c['key']}: unknown choices {ch!r}")
            ch = choices[ch]
        cols.append(
            Column(
                key=c["key"],
                header=c["header"],
                header_en=c.get("header_en", c["key"]),
                type=ctype,
                code=c.get("code", c["key"].upper()),
                aliases=tuple(c.get("aliases", ())),
                required=bool(c.get("required", False)),
                unique=bool(c.get("unique", False)),
                choices=tuple(str(x) for x in (ch or ())),
                ref=c.get("ref"),
                min=_bound(c.get("min"), year),
                max=_bound(c.get("max"), year),
                pattern=c.get("pattern"),
                severity=dict(c.get("severity", {})),
                format=c.get("format"),
                width=c.get("width"),
                example=c.get("example"),
                hint_ko=c.get("hint_ko", ""),
                hint_en=c.get("hint_en", ""),
            )
        )
    return Sheet(key, spec["name"], spec.get("name_en", key), spec["prefix"], spec.get("layout", "table"), tuple(cols), tuple(spec.get("aliases", ())))


def _bound(v: Any, year: int) -> float | None:
    if v is None:
        return None
    if v == "$year":
        return year
    return v


def _indicator(spec: dict[str, Any]) -> Indicator:
    return Indicator(
        key=spec["key"], ko=spec["ko"], en=spec["en"], numerator=spec["numerator"],
        denominator=spec.get("denominator"), factor=float(spec.get("factor", 1)), unit=spec.get("unit", ""),
        decimals=int(spec.get("decimals", 0)), paper=spec.get("paper"),
    )


def _message_def(code: str, spec: dict[str, Any]) -> MessageDef:
    return MessageDef(code, spec["severity"], {lang: spec[lang] for lang in LANGS})


def _rule(spec: dict[str, Any]) -> Rule:
    known = {"code", "kind", "sheet", "severity", "ko", "en"}
    return Rule(
        code=spec["code"],
        kind=spec["kind"],
        sheet=spec["sheet"],
        severity=spec["severity"],
        messages={lang: spec[lang] for lang in LANGS},
        args={k: v for k, v in spec.items() if k not in known},
    )


_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")


def _check(book: RuleBook) -> None:
    """Fail early on an inconsistent rule book (duplicate codes, bad severities, unknown placeholders)."""
    seen: set[str] = set()
    for sheet in book.sheets.values():
        names = [sheet.name, *sheet.aliases]
        keys = [c.key for c in sheet.columns]
        if len(set(keys)) != len(keys):
            raise RuleBookError(f"sheet {sheet.key}: duplicate column keys")
        if not names:
            raise RuleBookError(f"sheet {sheet.key}: no name")
    for kind, rep in book.reports.items():
        for s in rep.sheets:
            if s not in book.sheets:
                raise RuleBookError(f"report {kind}: unknown sheet {s!r}")
    for check in book.checks:
        if check not in COLUMN_CHECKS and not check.startswith("TYPE_"):
            raise RuleBookError(f"messages.yaml: unknown check {check!r}")
    codes = [*book.codes, *book.column_codes(), *(r.code for r in book.rules)]
    for code in codes:
        if code in seen:
            raise RuleBookError(f"duplicate code {code}")
        if not _CODE_RE.match(code):
            raise RuleBookError(f"code {code!r} is not UPPER_SNAKE")
        seen.add(code)
    for r in book.rules:
        if r.sheet not in book.sheets:
            raise RuleBookError(f"rule {r.code}: unknown sheet {r.sheet!r}")
        for v in r.args.values():
            for item in v if isinstance(v, list) else [v]:
                book.param(item)
    for code, (sev, messages) in book.all_codes().items():
        if sev not in SEVERITIES:
            raise RuleBookError(f"{code}: severity must be error or warning, not {sev!r}")
        for lang in LANGS:
            if not messages.get(lang):
                raise RuleBookError(f"{code}: no {lang} message")
            for _lit, fname, _spec, _conv in string.Formatter().parse(messages[lang]):
                if fname is not None and not fname.isidentifier():
                    raise RuleBookError(f"{code}: bad placeholder {{{fname}}} in {lang} message")
