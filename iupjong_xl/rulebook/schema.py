"""The three documents of a yearly rule book (rulebook.yaml, rules.yaml, messages.yaml) as pydantic models.

The models only check the documents: every key has the type it must have, no key is unknown (a typo is caught,
not ignored), each rule kind names exactly the arguments it takes. The loader then checks what crosses keys (a rule's
column on its sheet, a `$parameter` that resolves, a report's sheet) and builds the plain dataclasses of model.py;
nothing downstream sees pydantic. A mistake becomes a list of `Issue`s: the key path (``sheets.member.columns[3]
.header``) and what was expected, in Korean and English.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from iupjong_xl.rulebook.model import COLUMN_CHECKS, TYPES

__all__ = [
    "COLUMN_ARGS", "RULE_KINDS", "Issue", "MessagesDoc", "RuleDoc", "RulebookDoc", "RulesDoc", "issues", "path_text",
]


@dataclass(frozen=True)
class Issue:
    """One mistake in a rule-book document: where (key path) and what is wrong, in Korean and English."""

    path: str
    ko: str
    en: str


# ----------------------------------------------------------------------------------------------- value types
def _number(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise PydanticCustomError("number_type", "must be a number")
    return v


def _number_or_ref(v: Any) -> Any:
    if isinstance(v, str) and v.startswith("$"):
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise PydanticCustomError("number_or_ref", "must be a number or a $parameter reference")
    return v


def _scalar(v: Any) -> Any:
    if not isinstance(v, (str, int, float, bool)):
        raise PydanticCustomError("scalar_type", "must be a single value (text or number)")
    return v


def _choices(v: Any) -> Any:
    if isinstance(v, str) or v is None:
        return v
    if isinstance(v, list):
        for x in v:
            _scalar(x)
        return v
    raise PydanticCustomError("choices_type", "must name a list of `choices:` or be a list of values")


def _text(v: Any) -> Any:
    """Text; a number is taken as its text (version: 2009.1)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    return v


Number = Annotated[Any, BeforeValidator(_number)]
NumberOrRef = Annotated[Any, BeforeValidator(_number_or_ref)]
Scalar = Annotated[Any, BeforeValidator(_scalar)]
ChoiceSpec = Annotated[Any, BeforeValidator(_choices)]
Severity = Literal["error", "warning"]
ColumnType = Literal["text", "int", "float", "date", "bool", "brn", "brn_list"]
Check = Literal["REQUIRED", "TYPE", "FORMAT", "CHECKSUM", "ALLOWED", "RANGE", "PATTERN", "DUPLICATE"]
assert set(typing.get_args(ColumnType)) == TYPES and typing.get_args(Check) == COLUMN_CHECKS


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------------------------- rulebook.yaml
class ColumnDoc(_Doc):
    key: str
    header: str
    header_en: str | None = None
    type: ColumnType = "text"
    code: str | None = None
    aliases: list[str] = []
    required: bool = False
    unique: bool = False
    choices: ChoiceSpec = None
    ref: str | None = None
    min: NumberOrRef = None
    max: NumberOrRef = None
    pattern: str | None = None
    severity: dict[Check, Severity] = {}
    format: str | None = None
    width: Number = None
    example: Any = None
    hint_ko: str = ""
    hint_en: str = ""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise PydanticCustomError("bad_pattern", "not a regular expression: {error}",
                                          {"error": str(exc)}) from exc
        return v


class SheetDoc(_Doc):
    name: str
    name_en: str | None = None
    aliases: list[str] = []
    prefix: str
    layout: Literal["form", "table"] = "table"
    columns: list[ColumnDoc] = Field(min_length=1)


class ReferenceDoc(_Doc):
    file: str
    key: str
    label: str | None = None
    display: str | None = None


class ReportDoc(_Doc):
    template_id: str
    title_ko: str
    title_en: str
    file_hint: str = ""
    sheets: list[str] = Field(min_length=1)


class IndicatorDoc(_Doc):
    key: str
    ko: str
    en: str
    numerator: str
    denominator: str | None = None
    factor: Number = 1
    unit: str = ""
    decimals: int = 0
    paper: Number = None


class RulebookDoc(_Doc):
    rulebook: str | None = None
    year: int
    version: Annotated[str, BeforeValidator(_text)]
    title_ko: str = ""
    title_en: str = ""
    limits: dict[str, int] = {}
    parameters: dict[str, Any] = {}
    reference: dict[str, ReferenceDoc] = {}
    choices: dict[str, list[Scalar]] = {}
    reports: dict[str, ReportDoc]
    sheets: dict[str, SheetDoc]
    measures: dict[str, Any] = {}
    indicators: list[IndicatorDoc] = []


# ------------------------------------------------------------------------------------------------ rules.yaml
class RuleDoc(BaseModel):
    """What every rule has; the rest of its keys are its kind's arguments (checked by RULE_KINDS[kind])."""

    model_config = ConfigDict(extra="allow", frozen=True)
    code: str
    kind: str
    sheet: str
    severity: Severity
    ko: str
    en: str

    def args(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class RulesDoc(_Doc):
    rules: list[RuleDoc]


class _Column(_Doc):
    column: str


class _Param(_Doc):
    param: NumberOrRef


class _EqualsParam(_Column, _Param):
    pass


class _InMembers(_Column):
    pass


class _MinRows(_Doc):
    min: NumberOrRef


class _DistinctMin(_Column):
    min: NumberOrRef


class _RoleMatches(_Column):
    role: str
    ref_sheet: str
    ref_column: str


class _Share(_Column, _Param):
    of: str


class _SumEquals(_Doc):
    columns: list[str] = Field(min_length=1)
    total: str


class _ConsortiumDivisions(_Doc):
    columns: list[str] = Field(min_length=1)
    min_companies: NumberOrRef
    min_divisions: NumberOrRef


class _CodePrefix(_Column):
    ref_sheet: str
    ref_column: str


class _Nothing(_Doc):
    pass


RULE_KINDS: dict[str, type[_Doc]] = {  # the arguments each rule kind of validate/rules.py takes
    "equals_param": _EqualsParam,
    "in_members": _InMembers,
    "min_rows": _MinRows,
    "distinct_min": _DistinctMin,
    "role_matches": _RoleMatches,
    "max_member_count": _InMembers,
    "date_in_year": _EqualsParam,
    "sum_equals": _SumEquals,
    "max_param": _EqualsParam,
    "share_max": _Share,
    "share_min": _Share,
    "consortium_divisions": _ConsortiumDivisions,
    "code_prefix": _CodePrefix,
    "yoy_factor": _EqualsParam,
    "yoy_member_share": _Param,
    "yoy_no_overlap": _Nothing,
}
COLUMN_ARGS = ("column", "columns", "of", "total")  # rule arguments naming columns of the rule's own sheet


# --------------------------------------------------------------------------------------------- messages.yaml
class MessageDoc(_Doc):
    severity: Severity
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ReasonDoc(_Doc):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


class MessagesDoc(_Doc):
    checks: dict[str, MessageDoc]
    codes: dict[str, MessageDoc]
    funding: dict[str, ReasonDoc] = {}


# ------------------------------------------------------------------------------------------ errors as issues
def path_text(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """('sheets', 'member', 'columns', 3, 'header') -> 'sheets.member.columns[3].header'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            continue
        else:
            out += f".{part}" if out else str(part)
    return out or "(문서 전체 / the whole document)"


_KINDS_OF_TEXT = {  # a field's type, said to the person editing the file
    str: ("글자", "text"), int: ("정수", "a whole number"), float: ("숫자", "a number"), bool: ("true 또는 false", "true or false"),
}


def _unwrap(tp: Any) -> Any:
    """The model or container inside Optional[...] / Annotated[...]."""
    if typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (Union, types.UnionType):
        parts = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(parts) == 1:
            return _unwrap(parts[0])
    return tp


def _field_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[type[BaseModel] | None, Any]:
    """Walk a model along an error location: (the model holding the last key, that key's annotation)."""
    holder: type[BaseModel] | None = None
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return tp, None
            holder, tp = tp, (Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation)
        elif typing.get_origin(tp) in (list, dict):
            tp = typing.get_args(tp)[-1]
        else:
            return None, None
    return holder, tp


_VALIDATED = {  # what the value types above accept, said to the person editing the file
    _number: ("숫자", "a number"),
    _number_or_ref: ("숫자나 $매개변수(예: $year, $funding.max_total_won)",
                     "a number or a $parameter (e.g. $year, $funding.max_total_won)"),
    _scalar: ("글자나 숫자 하나", "a single text or number"),
    _choices: ("choices:의 목록 이름이나 값의 목록", "the name of a list under choices: or a list of values"),
    _text: ("글자", "text"),
}


def _expected(tp: Any) -> tuple[str, str]:
    if typing.get_origin(tp) is Annotated:
        for meta in typing.get_args(tp)[1:]:
            if isinstance(meta, BeforeValidator) and meta.func in _VALIDATED:
                return _VALIDATED[meta.func]
    tp = _unwrap(tp)
    if tp in _KINDS_OF_TEXT:
        return _KINDS_OF_TEXT[tp]
    origin = typing.get_origin(tp)
    if origin is Literal:
        shown = ", ".join(map(str, typing.get_args(tp)))
        return f"다음 중 하나({shown})", f"one of {shown}"
    if origin is list:
        return "목록 ([a, b, ...])", "a list ([a, b, ...])"
    if origin is dict or (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return "키: 값 묶음", "a mapping of key: value"
    return "", ""


def issues(exc: ValidationError, model: type[BaseModel], prefix: tuple[int | str, ...] = ()) -> list[Issue]:
    """A pydantic ValidationError of `model` (validated at `prefix` within its file) as Issues."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind, ctx = err["type"], err.get("ctx") or {}
        holder, tp = _field_at(model, loc)
        want_ko, want_en = _expected(tp)
        if kind == "missing":
            ko = "키가 없습니다. " + (f"{want_ko} 값이 있어야 합니다." if want_ko else "이 키가 있어야 합니다.")
            en = "key missing; " + (f"expected {want_en}." if want_en else "this key is required.")
        elif kind == "extra_forbidden":
            holder, _tp = _field_at(model, (*loc[:-1], "?"))
            keys = ", ".join(holder.model_fields) if holder is not None else ""
            ko = "알 수 없는 키입니다 (철자를 확인하세요)." + (f" 쓸 수 있는 키: {keys}" if keys else "")
            en = "unknown key (check the spelling)." + (f" Allowed keys: {keys}" if keys else "")
        elif kind == "literal_error":
            allowed = ", ".join(map(str, typing.get_args(_unwrap(tp)))) or str(ctx.get("expected"))
            ko, en = (f"값 {err['input']!r}은(는) 쓸 수 없습니다. {allowed} 가운데 하나여야 합니다.",
                      f"{err['input']!r} is not allowed; expected one of {allowed}.")
        elif kind in ("too_short", "list_too_short", "string_too_short"):
            ko, en = "비어 있습니다. 값이 하나 이상 있어야 합니다.", "is empty; at least one value is needed."
        elif kind == "bad_pattern":
            ko, en = f"정규식이 아닙니다: {ctx.get('error')}", f"not a regular expression: {ctx.get('error')}"
        elif want_ko:
            ko, en = f"값 {err['input']!r}: {want_ko}여야 합니다.", f"{err['input']!r}: expected {want_en}."
        else:
            ko, en = f"값 {err['input']!r}이(가) 맞지 않습니다: {err['msg']}", f"{err['input']!r}: {err['msg']}"
        out.append(Issue(path_text(prefix + loc), ko, en))
    return out
