"""Each code declares its message arguments in code (rulebook/codes.py): every call site passes them, every rule-book
template uses only them, and no message reaches a person with an unfilled {placeholder}."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from iupjong_xl import rulebook
from iupjong_xl.cli import cli
from iupjong_xl.rulebook.codes import (
    BASE_ARGS,
    CODE_ARGS,
    FUNDING_ARGS,
    RULE_KIND_ARGS,
    MessageArgumentError,
    message_args,
    placeholders,
)
from iupjong_xl.validate.findings import FindingFactory
from iupjong_xl.validate.rules import KINDS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "iupjong_xl"
YEARS = (2008, 2009)


@pytest.fixture(autouse=True)
def packaged_rule_books() -> Iterator[None]:
    yield
    rulebook.use_root(None)


def _calls(method: str) -> Iterator[tuple[Path, ast.Call]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method:
                yield path, node


def _passed(call: ast.Call) -> set[str] | None:
    """The argument names a call passes, i18n's (in every language) included; None when it cannot be known."""
    names: set[str] = set()
    for kw in call.keywords:
        if kw.arg is None:
            return None  # **params
        if kw.arg == "i18n":
            if not isinstance(kw.value, ast.Dict):
                return None
            per_lang = [{k.value for k in v.keys if isinstance(k, ast.Constant)} for v in kw.value.values
                        if isinstance(v, ast.Dict)]
            names |= set.intersection(*per_lang) if per_lang else set()
        else:
            names.add(kw.arg)
    return names


def test_every_finding_call_site_passes_the_arguments_its_code_declares() -> None:
    book = rulebook.load(2009)
    checked = 0
    problems = []
    for path, call in _calls("make"):
        if not call.args or not isinstance(call.args[0], ast.Constant) or not isinstance(call.args[0].value, str):
            continue  # a code chosen at run time: FindingFactory.make checks it when it runs
        code = call.args[0].value
        passed = _passed(call)
        if passed is None:
            continue
        missing = message_args(book, code) - passed
        if missing:
            problems.append(f"{path.relative_to(ROOT)}:{call.lineno} {code} misses {sorted(missing)}")
        checked += 1
    assert problems == []
    assert checked >= 15  # the literal call sites of the service, merge and the pipeline


def test_every_rule_kind_is_declared_and_passes_what_it_declares() -> None:
    assert set(KINDS) == set(RULE_KIND_ARGS)
    rules_py = (PACKAGE / "validate" / "rules.py").read_text(encoding="utf-8")
    tree = ast.parse(rules_py)
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
        kinds = [d.args[0].value for d in fn.decorator_list if isinstance(d, ast.Call) and d.args
                 and isinstance(d.args[0], ast.Constant)]
        for call in (n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                     and n.func.attr == "emit"):
            passed = _passed(call)
            for k in kinds:
                if passed is not None:
                    assert RULE_KIND_ARGS[k]({}) <= passed, (k, passed)


@pytest.mark.parametrize("year", YEARS)
def test_every_message_renders_completely_with_its_declared_arguments(year: int) -> None:
    book = rulebook.load(year)
    ff = FindingFactory(book)
    for code in book.all_codes():
        args = {a: 7 for a in message_args(book, code)}
        f = ff.make(code, "보고서.xlsx", sheet="회원사", cell="B5", row=5, column="사업자등록번호", value=3, **args)
        for lang in ("ko", "en"):
            assert "{" not in f.message(lang) and "}" not in f.message(lang), (code, lang, f.message(lang))
    for code, texts in book.funding_reasons.items():
        for lang, template in texts.items():
            assert placeholders(template) <= FUNDING_ARGS[code], (code, lang)


def test_a_finding_built_without_a_declared_argument_is_a_program_error() -> None:
    ff = FindingFactory(rulebook.load(2009))
    with pytest.raises(MessageArgumentError, match="LEDGER_ROW_ADDED"):
        ff.make("LEDGER_ROW_ADDED", "전국.xlsx", sheet="회원사", cell="A7", row=7)


def test_the_row_of_a_row_added_by_hand_is_in_its_message() -> None:
    ff = FindingFactory(rulebook.load(2009))
    f = ff.make("LEDGER_ROW_ADDED", "전국.xlsx", sheet="회원사", cell="A7", row=7, backup="전국.수정본-3.xlsx")
    assert f.message("ko") == ("회원사 시트 7행은 손으로 더한 행이라 취합하지 않았습니다. 그 행은 전국.수정본-3.xlsx에 그대로 "
                               "남겨 두었습니다. 자료는 교류회 보고서로 내 주세요.")
    assert f.message("en").startswith("Row 7 of sheet 회원사 was added by hand")


def test_the_declarations_name_only_codes_the_rule_books_have() -> None:
    codes = set().union(*(rulebook.load(y).codes for y in YEARS))
    assert set(CODE_ARGS) <= codes
    assert {"file", "sheet", "cell", "row", "column", "value"} == BASE_ARGS


def test_a_template_with_an_undeclared_argument_is_a_rule_book_error(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(rulebook.packaged_root(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    msgs = root / "2009" / "messages.yaml"
    text = msgs.read_text(encoding="utf-8")
    old = "그 행은 {backup}에 그대로 남겨 두었습니다."
    assert old in text
    msgs.write_text(text.replace(old, "그 행은 {backup_file}에 그대로 남겨 두었습니다."), encoding="utf-8")
    res = CliRunner().invoke(cli, ["--rulebook", str(root), "codes", "--year", "2009"])
    assert res.exit_code == 2
    assert (f"규칙집 파일 {root / '2009' / 'messages.yaml'}의 codes.LEDGER_ROW_ADDED.ko: LEDGER_ROW_ADDED의 ko 메시지가 "
            "쓰는 {backup_file}은(는) 이 코드가 넘기는 값이 아닙니다.") in res.stderr
    assert "{backup}" in res.stderr and "Traceback" not in res.output
