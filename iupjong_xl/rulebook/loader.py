"""Find and load the yearly rule book: the package's own (validation/ shipped as iupjong_xl.rulebook.data),
or an override folder the center keeps (IUPJONG_RULEBOOK or use_root), into the dataclasses of model.py.

Loading checks everything before anything is built: each file against its model (schema.py: keys, types, rule
kinds and their arguments), then what crosses keys and files (a rule's columns on its sheet, `$parameters` that
resolve, reports' sheets, references, every emitted code with its message, unique UPPER_SNAKE codes, templates
that use only the arguments their code passes). Any mistake is one RuleBookError naming the file and the key path
(``sheets.member.columns[3].header``), in Korean and English."""

from __future__ import annotations

import csv
import os
import re
import string
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from iupjong_xl.errors import RuleBookError
from iupjong_xl.rulebook.codes import CHECK_ARGS, CODE_ARGS, FUNDING_ARGS, undeclared
from iupjong_xl.rulebook.model import (
    LANGS,
    Column,
    Indicator,
    MessageDef,
    Reference,
    ReportKind,
    Rule,
    RuleBook,
    Sheet,
    check_template,
    column_checks,
)
from iupjong_xl.rulebook.schema import (
    COLUMN_ARGS,
    RULE_KINDS,
    Issue,
    MessagesDoc,
    ReferenceDoc,
    RulebookDoc,
    RulesDoc,
    SheetDoc,
    issues,
)

ENV_VAR = "IUPJONG_RULEBOOK"  # a folder laid out like validation/: <year>/rulebook.yaml ..., reference/*.csv
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: 10x faster, same data
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
        have = ", ".join(map(str, available_years(root))) or "-"
        raise RuleBookError(f"{root}에 {year}년 규칙집이 없습니다 (있는 연도: {have}).",
                            f"no rule book for {year} in {root} (have: {have})", file=str(root))
    doc, raw_doc = _document(base / "rulebook.yaml", RulebookDoc)
    rules_doc, raw_rules = _document(base / "rules.yaml", RulesDoc)
    msgs, raw_msgs = _document(base / "messages.yaml", MessagesDoc)
    _fail(base / "rulebook.yaml", raw_doc, _check_rulebook(doc, year))
    _fail(base / "rules.yaml", raw_rules, _check_rules(doc, rules_doc, year))
    refs: dict[str, Reference] = {}
    for name, spec in doc.reference.items():
        ref, problems = _reference(base, name, spec)
        _fail(base / "rulebook.yaml", raw_doc, problems)
        assert ref is not None
        refs[name] = ref
    choices = {k: tuple(str(x) for x in v) for k, v in doc.choices.items()}
    sheets = {key: _sheet(key, spec, choices, doc, year) for key, spec in doc.sheets.items()}
    book = RuleBook(
        year=year,
        version=doc.version,
        path=base,
        limits=dict(doc.limits),
        parameters=dict(doc.parameters),
        references=refs,
        choices=choices,
        reports={kind: ReportKind(kind, r.template_id, r.title_ko, r.title_en, r.file_hint, tuple(r.sheets))
                 for kind, r in doc.reports.items()},
        sheets=sheets,
        rules=tuple(Rule(code=r.code, kind=r.kind, sheet=r.sheet, severity=r.severity,
                         messages={"ko": r.ko, "en": r.en}, args=r.args()) for r in rules_doc.rules),
        checks={k: MessageDef(k, m.severity, {"ko": m.ko, "en": m.en}) for k, m in msgs.checks.items()},
        codes={k: MessageDef(k, m.severity, {"ko": m.ko, "en": m.en}) for k, m in msgs.codes.items()},
        indicators=tuple(
            Indicator(key=i.key, ko=i.ko, en=i.en, numerator=i.numerator, denominator=i.denominator,
                      factor=float(i.factor), unit=i.unit, decimals=i.decimals, paper=i.paper)
            for i in doc.indicators),
        measures=dict(doc.measures),
        funding_reasons={k: {"ko": v.ko, "en": v.en} for k, v in msgs.funding.items()},
    )
    _check_messages(book, raw_msgs)
    _check_codes(book, doc, rules_doc, raw_doc, raw_rules, raw_msgs)
    return book


# ------------------------------------------------------------------------------------------ reading, failing
def _yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=YAML_LOADER)
    except OSError as exc:
        raise RuleBookError(f"규칙집 파일 {path}을(를) 읽을 수 없습니다: {exc.strerror or exc}",
                            f"cannot read the rule book file {path}: {exc.strerror or exc}", file=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where_ko = f" {mark.line + 1}행 {mark.column + 1}열" if mark is not None else ""
        where_en = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        why = getattr(exc, "problem", None) or str(exc)
        raise RuleBookError(f"규칙집 파일 {path}{where_ko}: YAML 문법 오류입니다 ({why}). 들여쓰기·따옴표·콜론을 확인하세요.",
                            f"rule book file {path}{where_en}: not valid YAML ({why}); check indentation, quotes "
                            "and colons", file=str(path)) from exc
    if not isinstance(data, dict):
        raise RuleBookError(f"규칙집 파일 {path}: 맨 위가 '키: 값' 묶음이어야 합니다.",
                            f"rule book file {path}: expected a mapping (key: value) at the top", file=str(path))
    return data


_M = TypeVar("_M", bound=BaseModel)


def _document(path: Path, model: type[_M]) -> tuple[_M, dict[str, Any]]:
    """A rule-book file read and checked against its model; any mistake is a RuleBookError naming the key path."""
    raw = _yaml(path)
    try:
        return model.model_validate(raw), raw
    except ValidationError as exc:
        _fail(path, raw, issues(exc, model))
        raise AssertionError("unreachable") from exc


_SHOWN = 12  # issues listed in one error
_ITEM_RE = re.compile(r"^(sheets\.[^.\[]+\.columns|rules|indicators)\[(\d+)\]")


def _label(raw: dict[str, Any], path: str) -> str:
    """' (key: brn)' / ' (code: CLUB_NO_MEMBERS)': which list item a path is in, as the person editing knows it."""
    m = _ITEM_RE.match(path)
    if not m:
        return ""
    node: Any = raw
    for part in m.group(1).split("."):
        node = node.get(part) if isinstance(node, dict) else None
    item = node[int(m.group(2))] if isinstance(node, list) and int(m.group(2)) < len(node) else None
    for name in ("key", "code"):
        if isinstance(item, dict) and isinstance(item.get(name), str):
            return f" ({name}: {item[name]})"
    return ""


def _fail(path: Path, raw: dict[str, Any], found: list[Issue]) -> None:
    """Raise one RuleBookError for a file's issues (none: nothing happens)."""
    if not found:
        return
    shown = found[:_SHOWN]
    if len(found) == 1:
        i = found[0]
        where = f"{i.path}{_label(raw, i.path)}"
        raise RuleBookError(f"규칙집 파일 {path}의 {where}: {i.ko}", f"rule book file {path}, {where}: {i.en}",
                            file=str(path))
    more = len(found) - len(shown)
    lines = [(f"{i.path}{_label(raw, i.path)}", i) for i in shown]
    ko = f"규칙집 파일 {path}에 잘못된 곳이 {len(found)}개 있습니다:" + "".join(f"\n  - {w}: {i.ko}" for w, i in lines)
    en = f"rule book file {path} has {len(found)} mistakes:" + "".join(f"\n  - {w}: {i.en}" for w, i in lines)
    if more:
        ko, en = ko + f"\n  - … 그 밖에 {more}개", en + f"\n  - … and {more} more"
    raise RuleBookError(ko, en, file=str(path))


# ------------------------------------------------------------------------------------- what crosses the keys
def _resolve(ref: Any, year: int, parameters: dict[str, Any]) -> tuple[bool, Any]:
    """('$year' | '$a.b' | a plain value) -> (found, value); like RuleBook.param, without raising."""
    if not (isinstance(ref, str) and ref.startswith("$")):
        return True, ref
    if ref == "$year":
        return True, year
    node: Any = parameters
    for part in ref[1:].split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _unknown_param(ref: str, parameters: dict[str, Any]) -> tuple[str, str]:
    known = ", ".join(sorted(["$year", *(f"${k}" for k in parameters)]))
    return (f"{ref}은(는) parameters:에 없는 값입니다. $year 또는 parameters: 아래의 경로(예: $funding.max_total_won)를 "
            f"쓰세요. 있는 값: {known}",
            f"{ref} is not in parameters:; use $year or a path under parameters: (e.g. $funding.max_total_won). "
            f"Known: {known}")


def _check_rulebook(doc: RulebookDoc, year: int) -> list[Issue]:
    out: list[Issue] = []
    if doc.year != year:
        out.append(Issue("year", f"{doc.year}년이라고 되어 있지만 폴더는 {year}입니다. 둘을 맞추세요.",
                         f"says {doc.year}, but the folder is {year}; make them agree"))
    for kind, rep in doc.reports.items():
        for i, s in enumerate(rep.sheets):
            if s not in doc.sheets:
                out.append(Issue(f"reports.{kind}.sheets[{i}]", *_unknown("시트", "sheet", s, doc.sheets)))
    for key, sheet in doc.sheets.items():
        seen: set[str] = set()
        for i, c in enumerate(sheet.columns):
            at = f"sheets.{key}.columns[{i}]"
            if c.key in seen:
                out.append(Issue(f"{at}.key", f"열 키 {c.key}이(가) 이 시트에 두 번 있습니다.",
                                 f"column key {c.key} appears twice on this sheet"))
            seen.add(c.key)
            if c.ref is not None and c.ref not in doc.reference:
                out.append(Issue(f"{at}.ref", *_unknown("참조 목록(reference:)", "reference (reference:)", c.ref,
                                                        doc.reference)))
            if isinstance(c.choices, str) and c.choices not in doc.choices:
                out.append(Issue(f"{at}.choices", *_unknown("선택 목록(choices:)", "choice list (choices:)", c.choices,
                                                            doc.choices)))
            for bound in ("min", "max"):
                v = getattr(c, bound)
                found, value = _resolve(v, year, doc.parameters)
                if not found:
                    out.append(Issue(f"{at}.{bound}", *_unknown_param(v, doc.parameters)))
                elif isinstance(value, bool) or not isinstance(value, (int, float, type(None))):
                    out.append(Issue(f"{at}.{bound}", f"{v}의 값 {value!r}은(는) 숫자가 아닙니다.",
                                     f"{v} is {value!r}, not a number"))
    return out


def _unknown(ko_what: str, en_what: str, name: Any, known: Iterable[str]) -> tuple[str, str]:
    """'sheet X is unknown, these are known' — en_what may say where ('column {name} on sheet member')."""
    shown = ", ".join(known)
    en = en_what.format(name=repr(name)) if "{name}" in en_what else f"{en_what} {name!r}"
    return (f"{ko_what} {name!r}이(가) 없습니다. 있는 것: {shown}", f"there is no {en}; known: {shown}")


def _check_rules(doc: RulebookDoc, rules: RulesDoc, year: int) -> list[Issue]:
    out: list[Issue] = []
    for i, r in enumerate(rules.rules):
        at = f"rules[{i}]"
        if r.kind not in RULE_KINDS:
            out.append(Issue(f"{at}.kind", f"규칙 종류 {r.kind!r}은(는) 이 프로그램에 없습니다. 쓸 수 있는 종류: "
                             f"{', '.join(RULE_KINDS)}",
                             f"rule kind {r.kind!r} does not exist; known kinds: {', '.join(RULE_KINDS)}"))
            continue
        try:
            RULE_KINDS[r.kind].model_validate(r.args())
        except ValidationError as exc:
            out.extend(issues(exc, RULE_KINDS[r.kind], ("rules", i)))
            continue
        if r.sheet not in doc.sheets:
            out.append(Issue(f"{at}.sheet", *_unknown("시트", "sheet", r.sheet, doc.sheets)))
            continue
        args = r.args()
        own = [c.key for c in doc.sheets[r.sheet].columns]
        for name in COLUMN_ARGS:
            values = args.get(name)
            for j, col in enumerate(values if isinstance(values, list) else [values]):
                if col is not None and col not in own:
                    where = f"{at}.{name}" + (f"[{j}]" if isinstance(values, list) else "")
                    out.append(Issue(where, *_unknown(f"{r.sheet} 시트에 열", f"column {{name}} on sheet {r.sheet}", col, own)))
        if "ref_sheet" in args:
            ref_sheet = args["ref_sheet"]
            if ref_sheet not in doc.sheets:
                out.append(Issue(f"{at}.ref_sheet", *_unknown("시트", "sheet", ref_sheet, doc.sheets)))
            else:
                theirs = [c.key for c in doc.sheets[ref_sheet].columns]
                if args["ref_column"] not in theirs:
                    out.append(Issue(f"{at}.ref_column", *_unknown(f"{ref_sheet} 시트에 열", f"column {{name}} on sheet {ref_sheet}",
                                                                   args["ref_column"], theirs)))
        for name, v in args.items():
            for item in v if isinstance(v, list) else [v]:
                if isinstance(item, str) and item.startswith("$") and not _resolve(item, year, doc.parameters)[0]:
                    out.append(Issue(f"{at}.{name}", *_unknown_param(item, doc.parameters)))
    return out


def _reference(base: Path, name: str, spec: ReferenceDoc) -> tuple[Reference | None, list[Issue]]:
    path = (base / spec.file).resolve()
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = tuple(dict(r) for r in csv.DictReader(fh))
    except OSError as exc:
        return None, [Issue(f"reference.{name}.file", f"참조 파일 {path}을(를) 읽을 수 없습니다: {exc.strerror or exc}",
                            f"cannot read the reference file {path}: {exc.strerror or exc}")]
    if not rows or spec.key not in rows[0]:
        cols = ", ".join(rows[0]) if rows else "-"
        return None, [Issue(f"reference.{name}.key", f"참조 파일 {path}에 열 {spec.key!r}이(가) 없습니다 (있는 열: {cols}).",
                            f"the reference file {path} has no column {spec.key!r} (columns: {cols})")]
    return Reference(name, spec.key, rows, spec.display or "{" + spec.key + "}"), []


def _sheet(key: str, spec: SheetDoc, choices: dict[str, tuple[str, ...]], doc: RulebookDoc, year: int) -> Sheet:
    cols = []
    for c in spec.columns:
        ch = choices[c.choices] if isinstance(c.choices, str) else c.choices
        cols.append(
            Column(
                key=c.key,
                header=c.header,
                header_en=c.header_en if c.header_en is not None else c.key,
                type=c.type,
                code=c.code if c.code is not None else c.key.upper(),
                aliases=tuple(c.aliases),
                required=c.required,
                unique=c.unique,
                choices=tuple(str(x) for x in (ch or ())),
                ref=c.ref,
                min=_resolve(c.min, year, doc.parameters)[1],
                max=_resolve(c.max, year, doc.parameters)[1],
                pattern=c.pattern,
                severity={str(k): str(v) for k, v in c.severity.items()},
                format=c.format,
                width=c.width,
                example=c.example,
                hint_ko=c.hint_ko,
                hint_en=c.hint_en,
            )
        )
    return Sheet(key, spec.name, spec.name_en if spec.name_en is not None else key, spec.prefix, spec.layout,
                 tuple(cols), tuple(spec.aliases))


# --------------------------------------------------------------------------------- codes and their messages
_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")


def _check_messages(book: RuleBook, raw: dict[str, Any]) -> None:
    """messages.yaml holds a template for every check a column uses, every code and funding reason the program
    emits, and names only known checks."""
    out: list[Issue] = []
    for check in book.checks:
        if check not in CHECK_ARGS:
            out.append(Issue(f"checks.{check}", *_unknown("열 검사", "column check", check, CHECK_ARGS)))
    needed = {check_template(col, check) for _s, col, check in book.column_codes().values()}
    for check in sorted(needed - set(book.checks)):
        out.append(Issue(f"checks.{check}", "이 검사의 메시지가 없습니다. severity, ko, en을 적어 주세요.",
                         "no message for this check; give its severity, ko and en"))
    for code in sorted(set(CODE_ARGS) - set(book.codes)):
        out.append(Issue(f"codes.{code}", "프로그램이 내는 코드인데 메시지가 없습니다. severity, ko, en을 적어 주세요.",
                         "the program emits this code but it has no message; give its severity, ko and en"))
    for code in sorted(set(FUNDING_ARGS) - set(book.funding_reasons)):
        out.append(Issue(f"funding.{code}", "지원금 사유의 메시지가 없습니다. ko, en을 적어 주세요.",
                         "no text for this funding reason; give its ko and en"))
    _fail(book.path / "messages.yaml", raw, out)


def _check_codes(book: RuleBook, doc: RulebookDoc, rules: RulesDoc, raw_doc: dict[str, Any],
                 raw_rules: dict[str, Any], raw_msgs: dict[str, Any]) -> None:
    """Codes are UPPER_SNAKE and unique over the three files; templates use only the arguments their code passes."""
    where: list[tuple[str, str, str]] = [("messages.yaml", f"codes.{c}", c) for c in book.codes]
    for key, sheet in doc.sheets.items():
        for i, col in enumerate(book.sheets[key].columns):
            for check in column_checks(col):
                where.append(("rulebook.yaml", f"sheets.{key}.columns[{i}].code", f"{sheet.prefix}_{col.code}_{check}"))
    where += [("rules.yaml", f"rules[{i}].code", r.code) for i, r in enumerate(rules.rules)]
    raws = {"rulebook.yaml": raw_doc, "rules.yaml": raw_rules, "messages.yaml": raw_msgs}
    found: dict[str, list[Issue]] = {f: [] for f in raws}
    first: dict[str, str] = {}
    for file, path, code in where:
        if code in first:
            found[file].append(Issue(path, f"코드 {code}이(가) 이미 {first[code]}에 있습니다. 코드는 하나씩만 있어야 합니다.",
                                     f"code {code} is already used at {first[code]}; codes must be unique"))
        elif not _CODE_RE.match(code):
            found[file].append(Issue(path, f"코드 {code!r}은(는) 대문자와 밑줄(예: MEMBER_BRN_CHECKSUM)로 써야 합니다.",
                                     f"code {code!r} must be UPPER_SNAKE (e.g. MEMBER_BRN_CHECKSUM)"))
        first.setdefault(code, f"{file} {path}")
    rule_at = {r.code: i for i, r in enumerate(rules.rules)}
    templates: list[tuple[str, str, dict[str, str]]] = [
        *(("messages.yaml", f"codes.{c}", m.messages) for c, m in book.codes.items()),
        *(("messages.yaml", f"checks.{c}", m.messages) for c, m in book.checks.items()),
        *(("rules.yaml", f"rules[{rule_at[r.code]}]", r.messages) for r in book.rules),
        *(("messages.yaml", f"funding.{c}", t) for c, t in book.funding_reasons.items()),
    ]
    for file, path, messages in templates:
        for lang in LANGS:
            try:
                names = [f for _l, f, _s, _c in string.Formatter().parse(messages[lang]) if f is not None]
            except ValueError as exc:
                found[file].append(Issue(f"{path}.{lang}", f"메시지의 중괄호가 맞지 않습니다 ({exc}). 글자 중괄호는 {{{{ }}}}로 쓰세요.",
                                         f"unbalanced braces in the message ({exc}); write a literal brace as {{{{ }}}}"))
                continue
            for name in names:
                if not name.split(".")[0].split("[")[0].isidentifier():
                    found[file].append(Issue(f"{path}.{lang}", f"자리 표시 {{{name}}}이(가) 올바른 이름이 아닙니다.",
                                             f"bad placeholder {{{name}}}"))
    for file, code, lang, name, allowed in undeclared(book):
        shown = ", ".join("{" + a + "}" for a in allowed)
        if file == "rules.yaml":
            path = f"rules[{rule_at[code]}].{lang}"
        else:
            path = f"{code}.{lang}" if "." in code else f"codes.{code}.{lang}"
        found[file].append(Issue(path, f"{code}의 {lang} 메시지가 쓰는 {{{name}}}은(는) 이 코드가 넘기는 값이 아닙니다. "
                                       f"쓸 수 있는 값: {shown}",
                                 f"the {lang} message of {code} uses {{{name}}}, which this code does not pass; "
                                 f"it may use: {shown}"))
    for file, raw in raws.items():
        _fail(book.path / file, raw, found[file])
