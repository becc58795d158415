"""The plan of the live checks (the formula compiler) — live checks inside the template: plain spreadsheet formulas, generated from the rule book, that show the secretary
what is wrong while typing (Excel 2010+, LibreOffice and Google Sheets alike: no VBA, no LET/LAMBDA/dynamic arrays).

How a table sheet is laid out (a form sheet is the same with one field per row):

* the input columns of the rule book, then any extra columns, then the visible ``점검`` column (the Korean message of
  the row's first problem, empty when fine), then hidden helper columns: ``R`` (one digit per check: how many times
  it fails in this row), and per input column ``T`` (the value as the validator types it: a number, a date serial,
  the canonical BRN, the reference key; "" when blank, "#" for an Excel error, "?" when unreadable, "F"/"C" for a BRN
  of the wrong form / check digit), ``F`` (the digits of that column's checks) and for dates and BRN lists ``U``
  (the text with separators folded).
* every row's formulas are the same text (cells are reached with ``INDEX($C:$C,ROW())``), so sorting, filtering and
  inserting rows keep them right, and the files stay small.
* the ``점검`` sheet sums the digits per rule and per sheet; ``CHECK_ERRORS`` / ``CHECK_WARNINGS`` are its totals.
* every number (year, cap, shares, column limits) is a cell of the hidden ``_점검기준`` sheet written from the rule
  book, reached by a defined name (``LC_YEAR``, ``LC_CONSORTIUM_TOTAL_CAP``, ...).

What a formula cannot express (regular expressions, the numbers inside a list cell, the KSIC division of every
consortium company, anything about the file itself) stays with the validator: see ``live_status``.
"""


from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from iupjong_xl.io.reader import col_letter
from iupjong_xl.rulebook import Column, Rule, RuleBook, Sheet, check_template, col_severity, column_checks
from iupjong_xl.validate.normalize import _FALSE_WORDS, _TRUE_WORDS
from iupjong_xl.validate.schemas import allowed_text

PARAM_SHEET = "_점검기준"
NUMBER_UNITS = ("백만원", "천원", "원", "회사", "개사", "개", "건", "회", "명", "점")
LIST_PIECES = 6  # numbers of a BRN-list cell checked for membership
MAX_FORMULA = 8000  # Excel's limit is 8,192 characters
ERROR_CODE = "CELL_EXCEL_ERROR"
NAME_ERRORS, NAME_WARNINGS = "CHECK_ERRORS", "CHECK_WARNINGS"

# Why a check is not live (README table, 점검 sheet).
NOT_LIVE_WHY = {
    "PATTERN": "정규식 형식 검사는 일반 수식으로 쓸 수 없음 (REGEXMATCH는 Google 시트·최신 Excel 전용)",
    "LIST_BRN": "한 칸에 여러 번호를 쓰는 목록의 번호별 형식·검증번호는 수식이 너무 길어짐",
    "consortium_divisions": "협력체 기업마다 회원사 시트의 업종을 찾아 세어야 해 일반 수식으로는 과도함",
    **dict.fromkeys(("yoy_factor", "yoy_member_share", "yoy_no_overlap"),
                    "작년 자료(원장)와 비교하는 검사: 서식에는 작년 자료가 없음"),
}
LIVE_RULE_KINDS = {"equals_param", "in_members", "min_rows", "distinct_min", "role_matches", "max_member_count",
                   "date_in_year", "sum_equals", "max_param", "share_max", "share_min", "code_prefix"}
SHEET_LEVEL_KINDS = {"min_rows", "distinct_min"}
RULE_HOW = {
    "equals_param": "값이 기준값(숨은 칸)과 같은지",
    "in_members": "사업자등록번호가 회원사 시트에 있는지 (목록 칸은 앞의 6개 번호)",
    "min_rows": "시트의 행 수가 최소 행 수 이상인지 ('점검' 시트)",
    "distinct_min": "회원사 업종이 모두 같지 않은지 ('점검' 시트)",
    "role_matches": "역할 '회장'인 회원사가 교류회 시트의 회장사인지",
    "max_member_count": "값이 회원사 행 수 이하인지",
    "date_in_year": "날짜가 보고연도 안인지",
    "sum_equals": "정부지원금 + 기업부담금 = 총사업비인지",
    "max_param": "값이 한도(숨은 칸) 이하인지",
    "share_max": "비율이 상한(숨은 칸) 이하인지",
    "share_min": "비율이 하한(숨은 칸) 이상인지",
    "code_prefix": "교류회코드 앞자리가 연합회 코드인지",
}

CHECK_WHAT = {
    "REQUIRED": "필수 칸이 비어 있지 않은지",
    "TYPE_INT": "정수인지", "TYPE_FLOAT": "숫자인지", "TYPE_DATE": "날짜인지", "TYPE_BOOL": "예/아니오인지",
    "FORMAT": "사업자등록번호 10자리 형식인지",
    "CHECKSUM": "사업자등록번호 검증번호(마지막 자리)가 맞는지",
    "ALLOWED": "목록에 있는 값인지",
    "PATTERN": "정해진 형식인지",
    "DUPLICATE": "같은 값이 앞 행에 또 있지 않은지 (COUNTIF처럼 위쪽 행과 비교)",
    "RANGE": "최솟값~최댓값 범위인지 (기준값은 숨은 '_점검기준' 시트)",
    ERROR_CODE: "엑셀 오류값(#DIV/0! 등)이 없는지",
}


def q(text: str) -> str:
    """A formula string literal."""
    return '"' + text.replace('"', '""') + '"'


def _and(*conds: str) -> str:
    """Lazy AND (IF chain) giving 1/0: later conditions are only evaluated when the earlier ones hold."""
    out = "1"
    for c in reversed(conds):
        out = f"IF({c},{out},0)"
    return out


def _digits(s: str) -> str:
    return f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({s},"-",""),".","")," ","")'


def _canon(d: str) -> str:
    return f'LEFT({d},3)&"-"&MID({d},4,2)&"-"&RIGHT({d},5)'


@dataclass
class Check:
    """One live check: a digit per row (or a count for a sheet-level check) and its Korean message."""

    code: str
    severity: str
    sheet: str  # sheet key
    column: str | None  # column key where it shows (None: sheet level)
    digit: str  # formula text: 0..9 per row, or the count of a sheet-level check
    message: str  # formula text giving the Korean message
    what: str  # what it checks, in Korean

    @property
    def label(self) -> str:
        return "오류" if self.severity == "error" else "경고"


@dataclass
class SheetPlan:
    """Where everything of one report sheet is, and its checks."""

    sheet: Sheet
    rows: int  # data rows that carry formulas (table) / fields (form)
    data: dict[str, int]  # column key -> 0-based column of the input
    check_col: int
    r_col: int
    t_col: dict[str, int] = field(default_factory=dict)
    f_col: dict[str, int] = field(default_factory=dict)
    u_col: dict[str, int] = field(default_factory=dict)
    v_col: dict[str, int] = field(default_factory=dict)  # BRN lists: the numbers that are not on 회원사
    v_formula: dict[str, str] = field(default_factory=dict)
    form_row: dict[str, int] = field(default_factory=dict)  # form: column key -> 0-based row
    checks: list[Check] = field(default_factory=list)  # row level, in the order of the R digits
    sheet_checks: list[Check] = field(default_factory=list)
    formulas: list[tuple[int, str]] = field(default_factory=list)  # one table row's formulas, once computed

    @property
    def form(self) -> bool:
        return self.sheet.layout == "form"

    @property
    def first(self) -> int:
        return 2  # first 1-based data row of a table

    @property
    def last(self) -> int:
        return self.first + self.rows - 1

    def ref(self, c: int, key: str | None = None, *, sheet: bool = False) -> str:
        """This row's cell of column c (table), or the field row's cell (form)."""
        prefix = f"'{self.sheet.name}'!" if sheet else ""
        letter = col_letter(c)
        if self.form:
            assert key is not None
            return f"{prefix}${letter}${self.form_row[key] + 1}"
        return f"INDEX({prefix}${letter}:${letter},ROW())"

    def rng(self, c: int, *, sheet: bool = True) -> str:
        prefix = f"'{self.sheet.name}'!" if sheet else ""
        letter = col_letter(c)
        if self.form:
            rows = sorted(self.form_row.values())
            return f"{prefix}${letter}${rows[0] + 1}:${letter}${rows[-1] + 1}"
        return f"{prefix}${letter}${self.first}:${letter}${self.last}"

    def x(self, key: str) -> str:
        return self.ref(self.data[key], key)

    def t(self, key: str) -> str:
        return self.ref(self.t_col[key], key)

    def u(self, key: str) -> str:
        return self.ref(self.u_col[key], key)

    def r_range(self) -> str:
        return self.rng(self.r_col)

    def rows_name(self) -> str:
        return f"LC_ROWS_{self.sheet.key.upper()}"


@dataclass
class Plan:
    book: RuleBook
    kind: str
    sheets: dict[str, SheetPlan]
    params: list[tuple[str, Any, str]]  # defined name, value, Korean description
    lists: dict[str, list[str]]  # defined name -> values (hidden parameter sheet)
    lines: list[Any] = field(default_factory=list)  # the 점검 sheet's lines, once computed

    def param(self, name: str, value: Any, what: str) -> str:
        if not any(n == name for n, _, _ in self.params):
            self.params.append((name, value, what))
        return name


# ------------------------------------------------------------------------------------------------------ plan


_PLANS: dict[tuple[int, str, tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]], tuple[RuleBook, Plan]] = {}


def plan(book: RuleBook, kind: str, rows: dict[str, int], extras: dict[str, int]) -> Plan:
    """The live checks of a report kind for these table sizes; computed once per shape (a plan is not changed by
    the writers, so workbooks of the same shape share it and its formula texts)."""
    key = (id(book), kind, tuple(sorted(rows.items())), tuple(sorted(extras.items())))
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is book:
        return hit[1]
    if len(_PLANS) > 256:
        _PLANS.clear()
    made = _plan(book, kind, rows, extras)
    _PLANS[key] = (book, made)
    return made


def _plan(book: RuleBook, kind: str, rows: dict[str, int], extras: dict[str, int]) -> Plan:
    """Lay out the helper columns of every report sheet and generate every live check of the rule book."""
    sheets: dict[str, SheetPlan] = {}
    for sheet in book.report_sheets(kind):
        n = len(sheet.columns)
        if sheet.layout == "form":
            sp = SheetPlan(sheet, n, {c.key: 1 for c in sheet.columns}, check_col=3, r_col=4)
            sp.form_row = {c.key: i + 1 for i, c in enumerate(sheet.columns)}
            for c in sheet.columns:
                sp.t_col[c.key] = 5
                if c.type in ("date", "brn_list"):
                    sp.u_col[c.key] = 6
                if c.type == "brn_list":
                    sp.v_col[c.key] = 7
        else:
            check_col = n + extras.get(sheet.key, 0)
            sp = SheetPlan(sheet, rows[sheet.key], {c.key: i for i, c in enumerate(sheet.columns)}, check_col,
                           check_col + 1)
            nxt = check_col + 2
            for c in sheet.columns:
                sp.t_col[c.key], sp.f_col[c.key] = nxt, nxt + 1
                nxt += 2
                if c.type in ("date", "brn_list"):
                    sp.u_col[c.key] = nxt
                    nxt += 1
                if c.type == "brn_list":
                    sp.v_col[c.key] = nxt
                    nxt += 1
        sheets[sheet.key] = sp
    p = Plan(book, kind, sheets, [("LC_YEAR", book.year, "보고연도")], {})
    _lists(p)
    for sp in sheets.values():
        _column_checks(p, sp)
    for rule in book.rules:
        if rule.sheet in sheets:
            _rule_check(p, rule)
    for sp in sheets.values():  # the R digits follow the input columns (first problem = leftmost)
        order = {k: i for i, k in enumerate(sp.data)}

        def by_column(ch: Check, order: dict[str, int] = order) -> int:
            return order.get(ch.column or "", 0)

        sp.checks.sort(key=by_column)
    return p


def _lists(p: Plan) -> None:
    book = p.book
    for name, ref in book.references.items():
        p.lists[f"LC_REF_{name.upper()}_KEYS"] = list(ref.keys)
        p.lists[f"LC_REF_{name.upper()}_SHOWN"] = list(ref.displays)
        if name == "federation":
            p.lists["LC_REF_FEDERATION_CODES"] = [r.get("code", "") for r in ref.rows]
    for sp in p.sheets.values():
        for c in sp.sheet.columns:
            if c.choices and c.type != "bool" and not c.ref:
                p.lists[f"LC_CHOICE_{sp.sheet.prefix}_{c.code}"] = list(c.choices)
                p.lists[f"LC_CHOICE_{sp.sheet.prefix}_{c.code}_SQ"] = ["".join(v.split()) for v in c.choices]


def typed_formula(sp: SheetPlan, col: Column) -> str:
    """The T helper: the cell as the validator would type it."""
    x = sp.x(col.key)
    head = f'IF(ISERROR({x}),"#",IF(LEN(TRIM({x}&""))=0,"",'
    tail = "))"
    if col.type in ("int", "float"):
        text = f"TRIM({x})"
        for unit in NUMBER_UNITS:  # what the validator strips (never scales): 1,200원 / 35명 / 3회
            text = f'SUBSTITUTE({text},"{unit}","")'
        num = f'VALUE(SUBSTITUTE(SUBSTITUTE({text},",",""),"△","-"))'
        if col.type == "int":
            body = (f'IF(ISNUMBER({x}),IF({x}=INT({x}),{x},"?"),IF(ISERROR({num}),"?",IF({num}=INT({num}),{num},"?")))')
        else:
            body = f'IF(ISNUMBER({x}),{x},IF(ISERROR({num}),"?",{num}))'
        return head + body + tail
    if col.type == "date":
        u = sp.u(col.key)

        def seg(k: int) -> str:
            return f'TRIM(MID(SUBSTITUTE({u},"-",REPT(" ",30)),{(k - 1) * 30 + 1},30))'

        def ymd(y: str, m: str, d: str) -> str:
            dt = f"DATE({y},{m},{d})"
            return f'IF(AND(YEAR({dt})={y},MONTH({dt})={m},DAY({dt})={d}),{dt},"?")'

        def from8(n: str) -> str:
            return ymd(f"INT({n}/10000)", f"MOD(INT({n}/100),100)", f"MOD({n},100)")

        s1, s2, s3 = seg(1), seg(2), seg(3)
        y = f"IF(LEN({s1})=2,IF(VALUE({s1})<70,2000,1900)+VALUE({s1}),VALUE({s1}))"
        parsed = (f'IF(AND(LEN({u})=8,ISERROR(FIND("-",{u})),ISNUMBER(VALUE({u}))),{from8(f"VALUE({u})")},'
                  f'IF(ISERROR(VALUE({s1})+VALUE({s2})+VALUE({s3})),"?",IF({seg(4)}<>"","?",'
                  f'IF(OR(LEN({s1})=2,LEN({s1})=4),{ymd(y, f"VALUE({s2})", f"VALUE({s3})")},"?"))))')
        number = (f'IF(AND({x}>=19000101,{x}<=29991231),{from8(x)},IF(AND({x}>=1,{x}<2958466),INT({x}),"?"))')
        return head + f"IF(ISNUMBER({x}),{number},{parsed})" + tail
    if col.type == "bool":
        sq = f'LOWER(SUBSTITUTE(TRIM({x})," ",""))'
        yes = ",".join(q(w) for w in sorted(_TRUE_WORDS))
        no = ",".join(q(w) for w in sorted(_FALSE_WORDS))
        body = (f'IF(ISLOGICAL({x}),{x},IF(ISNUMBER({x}),IF({x}=1,TRUE,IF({x}=0,FALSE,"?")),'
                f'IF(ISNUMBER(MATCH({sq},{{{yes}}},0)),TRUE,IF(ISNUMBER(MATCH({sq},{{{no}}},0)),FALSE,"?"))))')
        return head + body + tail
    if col.type == "brn":
        s = _digits(f'TRIM({x}&"")')
        one_to_ten = ",".join(str(i) for i in range(1, 11))
        one_to_nine = ",".join(str(i) for i in range(1, 10))
        digits_ok = f'SUMPRODUCT(--ISNUMBER(FIND(MID({s},{{{one_to_ten}}},1),"0123456789")))=10'
        parts_ok = f'AND(VALUE(LEFT({s},3))>=101,MID({s},4,2)<>"00",MID({s},6,4)<>"0000")'
        total = f"SUMPRODUCT(--MID({s},{{{one_to_nine}}},1),{{1,3,7,1,3,7,1,3,5}})+INT(VALUE(MID({s},9,1))*5/10)"
        check_ok = f"MOD(10-MOD({total},10),10)=VALUE(RIGHT({s},1))"
        body = (f'IF(LEN({s})<>10,"F",IF(NOT({digits_ok}),"F",IF(NOT({parts_ok}),"F",'
                f'IF({check_ok},{_canon(s)},"C"))))')
        return head + body + tail
    if col.ref:
        t = f'TRIM({x}&"")'
        keys, shown = f"LC_REF_{col.ref.upper()}_KEYS", f"LC_REF_{col.ref.upper()}_SHOWN"
        spaced = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({t},"."," "),":"," "),"-"," ")&" "'
        tok = f'LEFT({t},FIND(" ",{spaced})-1)'
        tok = f'IF(LEN({tok})=1,"0"&{tok},{tok})'
        body = f'IFERROR(INDEX({keys},MATCH({t},{shown},0)),IFERROR(INDEX({keys},MATCH({tok},{keys},0)),"?"))'
        return head + body + tail
    if col.choices and col.type != "bool":
        name = f"LC_CHOICE_{sp.sheet.prefix}_{col.code}"
        sq = f'SUBSTITUTE(TRIM({x})," ","")'
        return head + f'IFERROR(INDEX({name},MATCH({sq},{name}_SQ,0)),"?")' + tail
    return f'IF(ISERROR({x}),"#",TRIM({x}&""))'


def folded_formula(sp: SheetPlan, col: Column) -> str:
    """The U helper: date text with its separators folded to "-", or a BRN list with its separators folded to ","."""
    x = sp.x(col.key)
    if col.type == "date":
        out = f'TRIM({x}&"")'
        for a, b in ((" ", ""), ("년", "-"), ("월", "-"), ("일", ""), (".", "-"), ("/", "-")):
            out = f"SUBSTITUTE({out},{q(a)},{q(b)})"
        return f'IF(ISERROR({x}),"",IF(ISNUMBER({x}),"",{out}))'
    out = f'TRIM({x}&"")'
    for sep in (";", "/", "·", "、", "，", "；", "／", "ㆍ", "・", "•", "|", "\n", "\r"):
        out = f"SUBSTITUTE({out},{'CHAR(10)' if sep == chr(10) else 'CHAR(13)' if sep == chr(13) else q(sep)},\",\")"
    return f'IF(ISERROR({x}),"",{out})'


def valid(sp: SheetPlan, col: Column) -> str:
    """The typed value exists (the validator would pass it to the rules)."""
    t = sp.t(col.key)
    if col.type in ("int", "float", "date"):
        return f"ISNUMBER({t})"
    if col.type == "brn":
        return f"LEN({t})=12"
    if col.type == "bool":
        return f"ISLOGICAL({t})"
    return f'AND({t}<>"",{t}<>"?",{t}<>"#")'


# ----------------------------------------------------------------------------------------------- messages


def render(template: str, values: dict[str, str]) -> str:
    """A rule-book message template as a formula: literals quoted, each {name:spec} replaced by a formula."""
    parts: list[str] = []
    for literal, name, spec, _conv in string.Formatter().parse(template):
        while literal:
            parts.append(q(literal[:200]))
            literal = literal[200:]
        if name is None:
            continue
        expr = values.get(name)
        if expr is None:
            raise KeyError(f"no formula for placeholder {{{name}}} in {template!r}")
        if spec == ",":
            expr = f'TEXT({expr},"#,##0")'
        elif spec and spec.endswith("%"):
            decimals = int(spec[1:-1] or 0)
            expr = f'TEXT({expr},"0{"." + "0" * decimals if decimals else ""}%")'
        elif spec:
            raise ValueError(f"format {spec!r} of {{{name}}} has no formula form")
        parts.append(f"({expr})&\"\"" if not expr.startswith('"') else expr)
    return "&".join(parts) if parts else '""'


def _bound_text(name: str, v: float | None) -> str:
    if v is None:
        return '""'
    return f'TEXT({name},"#,##0")' if abs(v) >= 10000 else f"{name}&\"\""


# ------------------------------------------------------------------------------------------- column checks


def _column_checks(p: Plan, sp: SheetPlan) -> None:
    book, sheet = p.book, sp.sheet
    for col in sheet.columns:
        x, t = sp.x(col.key), sp.t(col.key)
        base = {"column": q(col.header), "hint": q(col.hint_ko), "value": f'{x}&""',
                "allowed": q(allowed_text(book, col, "ko"))}
        err_text = f'CHOOSE(ERROR.TYPE({x}),"#NULL!","#DIV/0!","#VALUE!","#REF!","#NAME?","#NUM!","#N/A")'
        tmpl = book.codes[ERROR_CODE]
        sp.checks.append(Check(ERROR_CODE, tmpl.severity, sheet.key, col.key, f'--({t}="#")',
                               render(tmpl.messages["ko"], {**base, "value": err_text}), CHECK_WHAT[ERROR_CODE]))
        for check in column_checks(col):
            code = f"{sheet.prefix}_{col.code}_{check}"
            if check == "PATTERN" or (col.type == "brn_list" and check in ("FORMAT", "CHECKSUM")):
                continue
            tname = check_template(col, check)
            sev = col_severity(book, col, check)
            values = dict(base)
            what = CHECK_WHAT.get(tname, "")
            if check == "REQUIRED":
                digit = f'--({t}="")'
            elif check in ("TYPE", "ALLOWED"):
                digit = f'--({t}="?")'
            elif check == "FORMAT":
                digit = f'--({t}="F")'
            elif check == "CHECKSUM":
                digit = f'--({t}="C")'
            elif check == "RANGE":
                lo = hi = None
                conds = []
                if col.min is not None:
                    lo = p.param(f"LC_{sheet.prefix}_{col.code}_MIN", col.min, f"{sheet.name} · {col.header} 최솟값")
                    conds.append(f"{t}<{lo}")
                if col.max is not None:
                    hi = p.param(f"LC_{sheet.prefix}_{col.code}_MAX", col.max, f"{sheet.name} · {col.header} 최댓값")
                    conds.append(f"{t}>{hi}")
                digit = _and(f"ISNUMBER({t})", f"OR({','.join(conds)})")
                values.update({"value": f'{t}&""', "min": _bound_text(lo or "", col.min),
                               "max": _bound_text(hi or "", col.max)})
                what = f"{_fmt(col.min)}~{_fmt(col.max)} 범위인지"
            elif check == "DUPLICATE":
                letter = col_letter(sp.t_col[col.key])
                above = f"${letter}${sp.first}:INDEX(${letter}:${letter},ROW())"
                digit = _and(valid(sp, col), f"SUMPRODUCT(--({above}={t}))>1")
                values["first_row"] = f"MATCH({t},{sp.rng(sp.t_col[col.key], sheet=False)},0)+{sp.first - 1}"
                values["value"] = f'{t}&""'
            else:  # pragma: no cover - a new column check needs a formula here (or a NOT_LIVE entry)
                raise AssertionError(check)
            sp.checks.append(Check(code, sev, sheet.key, col.key, digit,
                                   render(book.checks[tname].messages["ko"], values), what))


def _fmt(v: float | None) -> str:
    if v is None:
        return ""
    if not float(v).is_integer():
        return str(v)
    return f"{int(v):,}" if abs(v) >= 10000 else str(int(v))


# --------------------------------------------------------------------------------------------- rule checks


def live_rule(rule: Rule) -> bool:
    return rule.kind in LIVE_RULE_KINDS


def _rule_check(p: Plan, rule: Rule) -> None:
    if not live_rule(rule):
        return
    sp = p.sheets[rule.sheet]
    built = _RULES[rule.kind](p, sp, rule, rule.args)
    if built is None:
        return
    column, digit, values, what = built
    check = Check(rule.code, rule.severity, sp.sheet.key, column, digit, render(rule.messages["ko"], values), what)
    (sp.sheet_checks if rule.kind in SHEET_LEVEL_KINDS else sp.checks).append(check)


Built = tuple[str | None, str, dict[str, str], str] | None
_RULES: dict[str, Callable[[Plan, SheetPlan, Rule, dict[str, Any]], Built]] = {}


def _rule(kind: str) -> Callable[[Callable[[Plan, SheetPlan, Rule, dict[str, Any]], Built]],
                                 Callable[[Plan, SheetPlan, Rule, dict[str, Any]], Built]]:
    def deco(fn: Callable[[Plan, SheetPlan, Rule, dict[str, Any]], Built]) -> Callable[[Plan, SheetPlan, Rule, dict[str, Any]], Built]:
        _RULES[kind] = fn
        return fn

    return deco


def _pname(p: Plan, rule: Rule, value: Any, what: str) -> str:
    return p.param(f"LC_{rule.code}", value, what)


@_rule("equals_param")
def _equals_param(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    col = sp.sheet.column(a["column"])
    expected = p.book.param(a["param"])
    name = "LC_YEAR" if a["param"] == "$year" else _pname(p, rule, expected, rule.code)
    t = sp.t(col.key)
    return col.key, _and(valid(sp, col), f"{t}<>{name}"), {"value": f'{t}&""', "expected": f'{name}&""'}, \
        f"{col.header}이(가) {expected}인지"


def _members(p: Plan) -> tuple[SheetPlan, str] | None:
    sp = p.sheets.get("member")
    if sp is None:
        return None
    return sp, sp.rng(sp.t_col["brn"])


@_rule("in_members")
def _in_members(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    m = _members(p)
    if m is None:
        return None
    _msp, members = m
    col = sp.sheet.column(a["column"])
    what = f"{col.header}이(가) 회원사 시트에 있는지"
    if col.type == "brn":
        t = sp.t(col.key)
        return col.key, _and(valid(sp, col), f"SUMPRODUCT(--({members}={t}))=0"), {"value": f'{t}&""'}, what
    u = sp.u(col.key)
    shown = []
    for k in range(LIST_PIECES):
        piece = f'TRIM(MID(SUBSTITUTE({u},",",REPT(" ",40)),{k * 40 + 1},40))'
        d = _digits(piece)
        out = _and(f"LEN({d})=10", f"SUMPRODUCT(--({members}={_canon(d)}))=0")
        shown.append(f'IF({out}=1,", "&{piece},"")')
    sp.v_formula[col.key] = f"MID({'&'.join(shown)},3,999)"
    v = sp.ref(sp.v_col[col.key], col.key)
    digit = f'IF({v}="",0,MIN(9,LEN({v})-LEN(SUBSTITUTE({v},",",""))+1))'
    return col.key, digit, {"value": v}, what + f" (앞의 {LIST_PIECES}개 번호)"


@_rule("min_rows")
def _min_rows(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    name = _pname(p, rule, a["min"], f"{sp.sheet.name} 최소 행 수")
    return None, f"IF({sp.rows_name()}<{name},1,0)", {"min": f'{name}&""'}, f"{sp.sheet.name} 시트에 {a['min']}건 이상 있는지"


@_rule("distinct_min")
def _distinct_min(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    if int(a["min"]) != 2:
        return None  # "all the same" is what a plain formula can say
    col = sp.sheet.column(a["column"])
    t = sp.rng(sp.t_col[col.key])
    cond = f'({sp.r_range()}<>"")*({t}<>"")*({t}<>"?")*({t}<>"#")'
    one = f"LOOKUP(2,1/({cond}),{t})"
    digit = f"IFERROR(IF(SUMPRODUCT({cond})=0,0,IF(SUMPRODUCT({cond}*({t}<>{one}))=0,1,0)),0)"
    return None, digit, {"value": f'IFERROR({one},"")'}, f"{col.header}이(가) 두 가지 이상인지 (이업종)"


@_rule("role_matches")
def _role_matches(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    ref = p.sheets.get(a["ref_sheet"])
    if ref is None or not ref.form:
        return None
    ref_col = ref.sheet.column(a["ref_column"])
    expected = ref.ref(ref.t_col[ref_col.key], ref_col.key, sheet=True)
    col = sp.sheet.column(a["column"])
    role = q(a["role"])
    holders = f"SUMPRODUCT(({sp.rng(sp.t_col[col.key])}={role})*({sp.rng(sp.t_col['brn'])}={expected}))"
    digit = _and(f"{sp.t(col.key)}={role}", f"LEN({expected})=12", f"{holders}=0")
    return col.key, digit, {"expected": f'{expected}&""'}, \
        f"역할 '{a['role']}'인 회원사가 {ref.sheet.name} 시트의 {ref_col.header}와 같은지"


@_rule("max_member_count")
def _max_member_count(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    m = _members(p)
    if m is None:
        return None
    n = m[0].rows_name()
    col = sp.sheet.column(a["column"])
    t = sp.t(col.key)
    return col.key, _and(valid(sp, col), f"{n}>0", f"{t}>{n}"), {"value": f'{t}&""', "members": f'{n}&""'}, \
        f"{col.header}이(가) 회원사 수 이하인지"


@_rule("date_in_year")
def _date_in_year(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    col = sp.sheet.column(a["column"])
    name = "LC_YEAR" if a["param"] == "$year" else _pname(p, rule, p.book.param(a["param"]), rule.code)
    t = sp.t(col.key)
    return col.key, _and(valid(sp, col), f"YEAR({t})<>{name}"), \
        {"value": f'TEXT({t},"yyyy-mm-dd")', "expected": f'{name}&""'}, f"{col.header}이(가) {p.book.param(a['param'])}년인지"


@_rule("sum_equals")
def _sum_equals(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    parts, total = list(a["columns"]), a["total"]
    cols = [sp.sheet.column(k) for k in [*parts, total]]
    ts = {c.key: sp.t(c.key) for c in cols}
    s = "+".join(ts[k] for k in parts)
    digit = _and(*[valid(sp, c) for c in cols], f"({s})<>{ts[total]}")
    values = {k: ts[k] for k in ts} | {"sum": f"({s})"}
    names = " + ".join(sp.sheet.column(k).header for k in parts)
    return parts[0], digit, values, f"{names} = {sp.sheet.column(total).header}인지"


@_rule("max_param")
def _max_param(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    col = sp.sheet.column(a["column"])
    limit = p.book.param(a["param"])
    name = _pname(p, rule, limit, f"{col.header} 한도")
    t = sp.t(col.key)
    return col.key, _and(valid(sp, col), f"{t}>{name}"), {"value": t, "limit": name}, \
        f"{col.header} ≤ {_fmt(limit)}인지"


def _share(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any], over: bool) -> Built:
    col, of = sp.sheet.column(a["column"]), sp.sheet.column(a["of"])
    limit = p.book.param(a["param"])
    name = _pname(p, rule, limit, f"{col.header} / {of.header} {'상한' if over else '하한'}")
    v, t = sp.t(col.key), sp.t(of.key)
    cmp = f"{v}>{t}*{name}" if over else f"{v}<{t}*{name}"
    what = f"{col.header}이(가) {of.header}의 {float(limit):.0%} {'이하' if over else '이상'}인지"
    return col.key, _and(valid(sp, col), valid(sp, of), f"{t}>0", cmp), \
        {"value": v, "share": f"{v}/{t}", "limit": name}, what


@_rule("share_max")
def _share_max(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    return _share(p, sp, rule, a, over=True)


@_rule("share_min")
def _share_min(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    return _share(p, sp, rule, a, over=False)


@_rule("code_prefix")
def _code_prefix(p: Plan, sp: SheetPlan, rule: Rule, a: dict[str, Any]) -> Built:
    ref = p.sheets.get(a["ref_sheet"])
    if ref is None or not ref.form:
        return None
    fed_col = ref.sheet.column(a["ref_column"])
    fed = ref.ref(ref.t_col[fed_col.key], fed_col.key, sheet=True)
    code = f"INDEX(LC_REF_FEDERATION_CODES,MATCH({fed},LC_REF_FEDERATION_KEYS,0))"
    col = sp.sheet.column(a["column"])
    t = sp.t(col.key)
    digit = _and(valid(sp, col), f'AND({fed}<>"",{fed}<>"?",{fed}<>"#")', f"ISNUMBER(MATCH({fed},LC_REF_FEDERATION_KEYS,0))",
                 f'{code}<>""', f'NOT(EXACT(LEFT({t},LEN({code})+1),{code}&"-"))')
    return col.key, digit, {"value": t, "expected": code}, f"{col.header} 앞자리가 연합회 코드와 같은지"


NORM_DIGITS = "".join(str(i) for i in range(2, 10))
CHOOSE_MAX = 29


def first_problem(r: str, checks: list[Check]) -> str:
    """The message of the first non-zero digit of r, and how many more problems the row has."""
    norm = r
    for d in NORM_DIGITS:
        norm = f'SUBSTITUTE({norm},"{d}","1")'
    pos = f'FIND("1",{norm})'
    msgs = [f'{q("[" + c.label + "] ")}&{c.message}' for c in checks]
    chooser = '""'
    for start in reversed(range(0, len(msgs), CHOOSE_MAX)):  # LibreOffice's CHOOSE takes at most 30 values
        group = ",".join(msgs[start:start + CHOOSE_MAX])
        pick = f"CHOOSE({pos}-{start},{group})" if start else f"CHOOSE({pos},{group})"
        chooser = pick if chooser == '""' else f"IF({pos}<={start + CHOOSE_MAX},{pick},{chooser})"
    n = ",".join(str(i) for i in range(1, len(checks) + 1))
    total = f"SUMPRODUCT(--MID({r},{{{n}}},1))"
    more = f'IF({total}>1," (외 "&({total}-1)&"건)","")'
    return f'=IF({r}="","",IF(ISERROR({pos}),"",{chooser}&{more}))'


def checked(formula: str, where: str) -> str:
    if len(formula) > MAX_FORMULA:
        raise ValueError(f"live-check formula of {where} is {len(formula)} characters (limit {MAX_FORMULA})")
    return formula


def positions(checks: list[Check], column: str | None = None) -> list[tuple[int, Check]]:
    return [(i + 1, c) for i, c in enumerate(checks) if column is None or c.column == column]


def row_formulas(sp: SheetPlan) -> list[tuple[int, str]]:
    """(column, formula) of one table row: helpers, R digits, the 점검 message (computed once per plan)."""
    if sp.formulas:
        return sp.formulas
    letters = [col_letter(c) for c in sp.data.values()]
    row_cells = f"INDEX(${letters[0]}:${letters[-1]},ROW(),0)"
    blank = f'IFERROR(SUMPRODUCT(LEN(TRIM({row_cells}&"")))=0,FALSE)'
    f_cells = []
    formulas: list[tuple[int, str]] = []
    for col in sp.sheet.columns:
        mine = [c for c in sp.checks if c.column == col.key]
        if col.key in sp.u_col:
            formulas.append((sp.u_col[col.key], "=" + folded_formula(sp, col)))
        formulas.append((sp.t_col[col.key], "=" + typed_formula(sp, col)))
        if col.key in sp.v_formula:
            formulas.append((sp.v_col[col.key], "=" + sp.v_formula[col.key]))
        formulas.append((sp.f_col[col.key], '=""&' + "&".join(f"({c.digit})" for c in mine) if mine else '=""'))
        f_cells.append(sp.ref(sp.f_col[col.key]))
    formulas.append((sp.r_col, f'=IF({blank},"",{"&".join(f_cells)})'))
    formulas.append((sp.check_col, first_problem(sp.ref(sp.r_col), sp.checks)))
    for c, text in formulas:
        checked(text, f"{sp.sheet.name}!{col_letter(c)}")
    sp.formulas = formulas
    return formulas


STATUS_FORMULA = (f'=IF({NAME_ERRORS}+{NAME_WARNINGS}=0,"문제 없음: 보내셔도 됩니다",IF({NAME_ERRORS}>0,"오류 "&{NAME_ERRORS}&"건"'
                  f'&IF({NAME_WARNINGS}>0,", 경고 "&{NAME_WARNINGS}&"건","")&": 빨간 칸을 고친 뒤 보내세요",'
                  f'"경고 "&{NAME_WARNINGS}&"건: 노란 칸을 확인하세요"))')


def _count(sp: SheetPlan, k: int, check: Check) -> str:
    if check.column is None:
        return check.digit
    if sp.form:
        assert check.column is not None
        row = sp.form_row[check.column] + 1
        return f'--("0"&MID(\'{sp.sheet.name}\'!${col_letter(sp.r_col)}${row},{k},1))'
    return f'SUMPRODUCT(--("0"&MID({sp.r_range()},{k},1)))'


Line = tuple[str, str, str, str, str, str, str | None, str | None]


def check_lines(p: Plan) -> list[Line]:
    """The 점검 sheet's line per rule: code, severity, sheet, column, what / why not, how, count formula, message."""
    book = p.book
    sheets = list(p.sheets.values())
    if p.lines:
        return p.lines
    lines: list[Line] = []
    for sp in sheets:
        seen: dict[str, list[tuple[int, Check]]] = {}
        for k, ch in positions(sp.checks):
            if sp.form:  # a form's digits are per field row
                k = [c for c in sp.checks if c.column == ch.column].index(ch) + 1
            seen.setdefault(ch.code, []).append((k, ch))
        for ch in sp.sheet_checks:
            seen.setdefault(ch.code, []).append((0, ch))
        for code, sev, sheet_name, col_header, live, why in live_status(book, p.kind):
            if sheet_name != sp.sheet.name:
                continue
            hits = seen.pop(code, [])
            if live and hits:
                lines.append((code, sev, sheet_name, col_header, hits[0][1].what, "서식에서 바로",
                              "+".join(_count(sp, k, ch) for k, ch in hits),
                              hits[0][1].message if hits[0][1].column is None else None))
            else:
                lines.append((code, sev, sheet_name, col_header, why, "검증 프로그램에서만", None, None))
        errs = seen.pop(ERROR_CODE, [])
        if errs:
            lines.append((ERROR_CODE, "error", sp.sheet.name, "(모든 칸)", CHECK_WHAT[ERROR_CODE], "서식에서 바로",
                          "+".join(_count(sp, k, ch) for k, ch in errs), None))
        assert not seen, f"live checks without a line: {sorted(seen)}"
    p.lines = lines
    return lines


# ------------------------------------------------------------------------------------------- what is live


def live_status(book: RuleBook, kind: str | None = None) -> list[tuple[str, str, str, str, bool, str]]:
    """Every rule-book code of the report sheets: (code, severity, sheet, column, live, why not / what)."""
    out: list[tuple[str, str, str, str, bool, str]] = []
    kinds = [kind] if kind else list(book.reports)
    seen: set[str] = set()
    for k in kinds:
        for sheet in book.report_sheets(k):
            for col in sheet.columns:
                for check in column_checks(col):
                    code = f"{sheet.prefix}_{col.code}_{check}"
                    if code in seen:
                        continue
                    seen.add(code)
                    sev = col_severity(book, col, check)
                    if check == "PATTERN":
                        out.append((code, sev, sheet.name, col.header, False, NOT_LIVE_WHY["PATTERN"]))
                    elif col.type == "brn_list" and check in ("FORMAT", "CHECKSUM"):
                        out.append((code, sev, sheet.name, col.header, False, NOT_LIVE_WHY["LIST_BRN"]))
                    else:
                        what = CHECK_WHAT.get(check_template(col, check)) or CHECK_WHAT.get(check, "")
                        out.append((code, sev, sheet.name, col.header, True, what))
            for rule in book.rules:
                if rule.sheet != sheet.key or rule.code in seen:
                    continue
                seen.add(rule.code)
                col_key = rule.args.get("column") or (rule.args.get("columns") or [None])[0]
                header = sheet.column(col_key).header if col_key else ""
                ok = live_rule(rule) and not (rule.kind == "distinct_min" and int(rule.args.get("min", 2)) != 2)
                out.append((rule.code, rule.severity, sheet.name, header, ok,
                            RULE_HOW[rule.kind] if ok else NOT_LIVE_WHY.get(rule.kind, "일반 수식으로 표현할 수 없음")))
    return out


