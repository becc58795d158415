"""Find and load the yearly rule book: the package's own (validation/ shipped as iupjong_xl.rulebook.data),
or an override folder the center keeps (IUPJONG_RULEBOOK or use_root), into the dataclasses of model.py."""

from __future__ import annotations

import csv
import os
import re
import string
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from iupjong_xl.errors import RuleBookError
from iupjong_xl.rulebook.codes import undeclared
from iupjong_xl.rulebook.model import (
    COLUMN_CHECKS,
    LANGS,
    SEVERITIES,
    TYPES,
    Column,
    Indicator,
    MessageDef,
    Reference,
    ReportKind,
    Rule,
    RuleBook,
    Sheet,
)

ENV_VAR = "IUPJONG_RULEBOOK"  # a folder laid out like validation/: <year>/rulebook.yaml ..., reference/*.csv
_SOURCE_DIR = Path(__file__).resolve().parents[2] / "validation"  # a source checkout without an install
_override: Path | None = None


def packaged_root() -> Path:
    """The rule books shipped inside the package (the repository's validation/ folder, mapped at build time)."""
    try:
        root = Path(str(resources.files("iupjong_xl.rulebook.data")))
    except (ModuleNotFoundError, TypeError):
        root = _SOURCE_DIR
    if not root.is_dir() and _SOURCE_DIR.is_dir():
        root = _SOURCE_DIR
    return root


def use_root(path: str | os.PathLike[str] | None) -> Path:
    """Read rule books from `path` from now on (None: back to the packaged ones); checked before it is used."""
    global _override
    if path is None:
        _override = None
        return packaged_root()
    _override = check_root(Path(path))
    return _override


def check_root(root: Path) -> Path:
    """An override folder must exist and hold at least one <year>/rulebook.yaml."""
    if not root.is_dir():
        raise RuleBookError(f"규칙집 폴더 {root}이(가) 없습니다.", f"the rule-book folder {root} does not exist",
                            file=str(root))
    if not available_years(root):
        raise RuleBookError(f"규칙집 폴더 {root}에 연도 폴더(예: 2009/rulebook.yaml)가 없습니다.",
                            f"the rule-book folder {root} holds no year folder (e.g. 2009/rulebook.yaml)",
                            file=str(root))
    return root.resolve()


def default_root() -> Path:
    """Where rule books are read from: use_root(), else $IUPJONG_RULEBOOK, else the packaged ones."""
    if _override is not None:
        return _override
    env = os.environ.get(ENV_VAR)
    if env:
        return check_root(Path(env))
    return packaged_root()


def available_years(root: Path | None = None) -> list[int]:
    root = default_root() if root is None else root
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / "rulebook.yaml").exists())


def load(year: int, root: Path | None = None) -> RuleBook:
    """Load and check the rule book of one report year (cached per folder)."""
    return _load(year, (default_root() if root is None else root).resolve())


@cache
def _load(year: int, root: Path) -> RuleBook:
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
        kind: ReportKind(kind, r["template_id"], r["title_ko"], r["title_en"], r.get("file_hint", ""), tuple(r["sheets"]))
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
    for file, code, lang, name, allowed in undeclared(book):
        shown = ", ".join("{" + a + "}" for a in allowed)
        raise RuleBookError(
            f"{book.path / file}: {code}의 {lang} 메시지가 쓰는 {{{name}}}은(는) 이 코드가 넘기는 값이 아닙니다. "
            f"쓸 수 있는 값: {shown}",
            f"{book.path / file}: the {lang} message of {code} uses {{{name}}}, which this code does not pass; "
            f"it may use: {shown}", file=str(book.path / file))
