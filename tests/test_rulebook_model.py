"""The rule book as a validated model: a mistake in any of its three files is a RuleBookError naming the file and the
key path (exit 2, Korean first, no traceback), the loaded objects stay plain frozen dataclasses, and what the
stages derive from a rule book (finding factories, pandera schemas) hangs off the loaded book — validating, switching
the rule-book folder and validating again uses the new folder, with workers started by fork and by spawn."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import BRNS, club_data
from pydantic import BaseModel

from iupjong_xl import rulebook
from iupjong_xl.cli import cli
from iupjong_xl.errors import RuleBookError
from iupjong_xl.io import sandbox
from iupjong_xl.outputs.templates import write_template
from iupjong_xl.rulebook.codes import RULE_KIND_ARGS
from iupjong_xl.rulebook.loader import YAML_LOADER
from iupjong_xl.rulebook.schema import RULE_KINDS
from iupjong_xl.validate.pipeline import validate
from iupjong_xl.validate.rules import KINDS
from iupjong_xl.validate.schemas import schema_for

ROOT = Path(__file__).resolve().parent.parent
YAML_PROBLEM = ("mapping values are not allowed here" if YAML_LOADER is yaml.SafeLoader  # PyYAML without libyaml
                else "mapping values are not allowed in this context")


@pytest.fixture(autouse=True)
def packaged_rule_books() -> Iterator[None]:
    yield
    rulebook.use_root(None)


def _copy(tmp: Path, file: str = "", old: str = "", new: str = "") -> Path:
    """A copy of the packaged rule books with `old` replaced by `new` (once) in 2009/`file`."""
    root = tmp / "rules"
    shutil.copytree(rulebook.packaged_root(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    if file:
        path = root / "2009" / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        path.write_text(text.replace(old, new), encoding="utf-8")
    return root


def _codes(root: Path, *more: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli, ["--rulebook", str(root), "codes", *more])
    return res.exit_code, res.stdout, res.stderr


# ------------------------------------------------------------------------------------------- the mistakes
MISTAKES = {
    "missing key": (
        "rulebook.yaml", "{key: ceo, header: 대표자,", "{key: ceo, heder: 대표자,",
        "규칙집 파일 @FILE@에 잘못된 곳이 2개 있습니다:\n"
        "  - sheets.member.columns[2].header (key: ceo): 키가 없습니다. 글자 값이 있어야 합니다.\n"
        "  - sheets.member.columns[2].heder (key: ceo): 알 수 없는 키입니다 (철자를 확인하세요). 쓸 수 있는 키: key, header, "
        "header_en, type, code, aliases, required, unique, choices, ref, min, max, pattern, severity, format, width, "
        "example, hint_ko, hint_en"),
    "wrong type": (
        "rulebook.yaml", "type: brn, required: true,\n         unique: true, width: 16",
        "type: brn, required: 예,\n         unique: true, width: 16",
        "규칙집 파일 @FILE@의 sheets.member.columns[0].required (key: brn): 값 '예': true 또는 false여야 합니다."),
    "wrong value": (
        "rulebook.yaml", "aliases: [종업원 수, 직원수, 상시근로자수], type: int,", "aliases: [종업원 수, 직원수, 상시근로자수], type: integer,",
        "규칙집 파일 @FILE@의 sheets.member.columns[4].type (key: employees): 값 'integer'은(는) 쓸 수 없습니다. "
        "text, int, float, date, bool, brn, brn_list 가운데 하나여야 합니다."),
    "unknown sheet of a report": (
        "rulebook.yaml", "sheets: [club, member, activity, result, consortium]",
        "sheets: [club, members, activity, result, consortium]",
        "규칙집 파일 @FILE@의 reports.club.sheets[1]: 시트 'members'이(가) 없습니다. 있는 것: club, member, activity, result, "
        "consortium, federation, roster"),
    "unknown column in a rule": (
        "rules.yaml", "    total: total_won\n", "    total: total_wons\n",
        "규칙집 파일 @FILE@의 rules[9].total (code: CONSORTIUM_SHARES_SUM): consortium 시트에 열 'total_wons'이(가) "
        "없습니다. 있는 것: title, lead_brn, partner_brns, field, total_won, gov_won, company_won, submitted, score"),
    "unknown column in a rule's list": (
        "rules.yaml", "columns: [gov_won, company_won]", "columns: [gov_won, company_wons]",
        "규칙집 파일 @FILE@의 rules[9].columns[1] (code: CONSORTIUM_SHARES_SUM): consortium 시트에 열 'company_wons'이(가) "
        "없습니다. 있는 것: title, lead_brn, partner_brns, field, total_won, gov_won, company_won, submitted, score"),
    "unknown sheet of a rule": (
        "rules.yaml", "  - code: CLUB_NO_MEMBERS\n    kind: min_rows\n    sheet: member\n",
        "  - code: CLUB_NO_MEMBERS\n    kind: min_rows\n    sheet: members\n",
        "규칙집 파일 @FILE@의 rules[3].sheet (code: CLUB_NO_MEMBERS): 시트 'members'이(가) 없습니다. 있는 것: club, member, "
        "activity, result, consortium, federation, roster"),
    "unknown rule kind": (
        "rules.yaml", "  - code: CLUB_NO_MEMBERS\n    kind: min_rows\n", "  - code: CLUB_NO_MEMBERS\n    kind: minimum_rows\n",
        "규칙집 파일 @FILE@의 rules[3].kind (code: CLUB_NO_MEMBERS): 규칙 종류 'minimum_rows'은(는) 이 프로그램에 없습니다. "
        "쓸 수 있는 종류: equals_param, in_members, min_rows, distinct_min, role_matches, max_member_count, date_in_year, "
        "sum_equals, max_param, share_max, share_min, consortium_divisions, code_prefix, yoy_factor, yoy_member_share, "
        "yoy_no_overlap"),
    "misspelt rule argument": (
        "rules.yaml", "    kind: min_rows\n    sheet: member\n    min: 1\n", "    kind: min_rows\n    sheet: member\n    minimum: 1\n",
        "규칙집 파일 @FILE@에 잘못된 곳이 2개 있습니다:\n"
        "  - rules[3].min (code: CLUB_NO_MEMBERS): 키가 없습니다. 숫자나 $매개변수(예: $year, $funding.max_total_won) 값이 "
        "있어야 합니다.\n"
        "  - rules[3].minimum (code: CLUB_NO_MEMBERS): 알 수 없는 키입니다 (철자를 확인하세요). 쓸 수 있는 키: min"),
    "undeclared message argument": (
        "rules.yaml", "{value}이(가) 회원사 수 {members}보다", "{value}이(가) 회원사 수 {member_count}보다",
        "규칙집 파일 @FILE@의 rules[6].ko (code: ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS): ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS의 "
        "ko 메시지가 쓰는 {member_count}은(는) 이 코드가 넘기는 값이 아닙니다. 쓸 수 있는 값: {cell}, {column}, {file}, "
        "{members}, {row}, {sheet}, {value}"),
    "unresolved parameter": (
        "rules.yaml", "    param: $funding.max_total_won\n", "    param: $funding.max_total\n",
        "규칙집 파일 @FILE@의 rules[10].param (code: CONSORTIUM_TOTAL_CAP): $funding.max_total은(는) parameters:에 없는 "
        "값입니다. $year 또는 parameters: 아래의 경로(예: $funding.max_total_won)를 쓰세요. 있는 값: $attendance_threshold, "
        "$directory, $funding, $paper_federations, $partners, $support_budget_million_won, $year, $yoy"),
    "unresolved parameter of a column": (
        "rulebook.yaml", "min: 1989, max: $year, format: \"0\", example: 1995,\n         hint_ko",
        "min: 1989, max: $report_year, format: \"0\", example: 1995,\n         hint_ko",
        "규칙집 파일 @FILE@의 sheets.club.columns[3].max (key: founded_year): $report_year은(는) parameters:에 없는 값입니다. "
        "$year 또는 parameters: 아래의 경로(예: $funding.max_total_won)를 쓰세요. 있는 값: $attendance_threshold, "
        "$directory, $funding, $paper_federations, $partners, $support_budget_million_won, $year, $yoy"),
    "message without severity": (
        "messages.yaml", "  FILE_LOCK_SKIPPED:\n    severity: warning\n", "  FILE_LOCK_SKIPPED:\n",
        "규칙집 파일 @FILE@의 codes.FILE_LOCK_SKIPPED.severity: 키가 없습니다. 다음 중 하나(error, warning) 값이 있어야 "
        "합니다."),
    "not YAML": (
        "messages.yaml", "checks:\n  REQUIRED:\n", "checks:\n  REQUIRED\n",
        f"규칙집 파일 @FILE@ 7행 13열: YAML 문법 오류입니다 ({YAML_PROBLEM}). 들여쓰기·따옴표·콜론을 확인하세요."),
}


@pytest.mark.parametrize("case", list(MISTAKES))
def test_a_mistake_in_the_rule_book_is_exit_2_naming_file_and_key_path_in_korean(tmp_path: Path, case: str) -> None:
    file, old, new, expected = MISTAKES[case]
    root = _copy(tmp_path, file, old, new)
    code, out, err = _codes(root)
    assert (code, out) == (2, "")
    ko = expected.replace("@FILE@", str(root / "2009" / file))
    assert err.startswith(f"오류: {ko}\n("), err  # Korean first, the English text after it for a support call
    assert "Traceback" not in err and "internal error" not in err


def test_the_english_text_with_lang_en(tmp_path: Path) -> None:
    root = _copy(tmp_path, "rules.yaml", "    total: total_won\n", "    total: total_wons\n")
    code, _out, err = _codes(root, "--lang", "en")
    assert code == 2
    assert err == (f"Error: rule book file {root / '2009' / 'rules.yaml'}, rules[9].total (code: CONSORTIUM_SHARES_SUM): "
                   "there is no column 'total_wons' on sheet consortium; known: title, lead_brn, partner_brns, field, "
                   "total_won, gov_won, company_won, submitted, score\n")


def test_the_error_names_the_file(tmp_path: Path) -> None:
    root = _copy(tmp_path, "rules.yaml", "    param: $funding.max_total_won\n", "    param: $funding.max_total\n")
    with pytest.raises(RuleBookError) as info:
        rulebook.load(2009, root)
    assert info.value.file == str(root / "2009" / "rules.yaml")
    assert rulebook.load(2008, root).year == 2008  # another year of the same folder is not affected


def test_renaming_a_header_key_is_exit_2_without_traceback_from_the_command_line(tmp_path: Path) -> None:
    """The issue's own case: `iupjong --rulebook COPY codes` after renaming one `header:` key was exit 3,
    `internal error: KeyError: 'header'`."""
    root = _copy(tmp_path, "rulebook.yaml", "{key: brn, header: 사업자등록번호,", "{key: brn, title: 사업자등록번호,")
    run = subprocess.run([sys.executable, "-m", "iupjong_xl", "--rulebook", str(root), "codes"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.splitlines()[:3] == [
        f"오류: 규칙집 파일 {root / '2009' / 'rulebook.yaml'}에 잘못된 곳이 2개 있습니다:",
        "  - sheets.member.columns[0].header (key: brn): 키가 없습니다. 글자 값이 있어야 합니다.",
        "  - sheets.member.columns[0].title (key: brn): 알 수 없는 키입니다 (철자를 확인하세요). 쓸 수 있는 키: key, header, "
        "header_en, type, code, aliases, required, unique, choices, ref, min, max, pattern, severity, format, width, "
        "example, hint_ko, hint_en",
    ]
    assert "Traceback" not in run.stderr and "KeyError" not in run.stderr


def test_many_mistakes_are_listed_together_up_to_twelve(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "2009" / "rulebook.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("required: true", "required: 예"), encoding="utf-8")
    with pytest.raises(RuleBookError) as info:
        rulebook.load(2009, root)
    lines = info.value.ko.splitlines()
    assert lines[0] == f"규칙집 파일 {path}에 잘못된 곳이 40개 있습니다:"
    assert lines[1] == "  - sheets.club.columns[0].required (key: club_code): 값 '예': true 또는 false여야 합니다."
    assert len(lines) == 14 and lines[-1] == "  - … 그 밖에 28개"
    assert info.value.en.splitlines()[-1] == "  - … and 28 more"


# ------------------------------------------------------------------------------------ the model stays plain
@pytest.mark.parametrize("year", [2008, 2009])
def test_the_loaded_rule_book_is_plain_frozen_dataclasses(year: int) -> None:
    book = rulebook.load(year)
    seen = 0

    def walk(obj: object) -> None:
        nonlocal seen
        assert not isinstance(obj, BaseModel), type(obj)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            assert type(obj).__dataclass_params__.frozen, type(obj)  # type: ignore[attr-defined]
            seen += 1
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name))
        elif isinstance(obj, dict):
            for v in obj.values():
                walk(v)
        elif isinstance(obj, (list, tuple)):
            for v in obj:
                walk(v)

    walk(book)
    assert seen > 100
    member = book.sheets["member"]
    assert member.column("employees") == rulebook.Column(
        key="employees", header="종업원수", header_en="Employees", type="int", code="EMPLOYEES",
        aliases=("종업원 수", "직원수", "상시근로자수"), required=True, min=0, max=100000, format="#,##0", width=10,
        example=35, hint_ko="상시 종업원 수 (명)", hint_en="Number of employees")
    assert book.sheets["club"].column("founded_year").max == year  # $year resolved at load
    assert book.sheets["club"].column("club_code").header_en == "Club code"
    assert book.sheets["club"].column("federation").code == "FEDERATION"  # code defaults to the key in capitals


@pytest.mark.parametrize("year", [2008, 2009])
def test_libyaml_reads_the_rule_books_as_the_python_loader_does(year: int) -> None:
    for name in ("rulebook.yaml", "rules.yaml", "messages.yaml"):
        text = (rulebook.packaged_root() / str(year) / name).read_text(encoding="utf-8")
        assert yaml.load(text, Loader=YAML_LOADER) == yaml.load(text, Loader=yaml.SafeLoader)


def test_every_rule_kind_has_its_argument_model() -> None:
    assert set(RULE_KINDS) == set(KINDS) == set(RULE_KIND_ARGS)


def test_a_rule_book_pickles_without_what_was_derived_from_it() -> None:
    book = rulebook.load(2009)
    schema, _names = schema_for(book, book.sheets["member"])  # holds lambdas: not picklable
    assert schema_for(book, book.sheets["member"])[0] is schema
    copy = pickle.loads(pickle.dumps(book))
    assert copy == book and copy.sheets == book.sheets
    assert schema_for(copy, copy.sheets["member"])[0] is not schema


# --------------------------------------------------------------------- caches follow the rule-book folder
def _other_rule_book(tmp: Path) -> Path:
    """Rule books whose messages differ from the packaged ones (a column check made in the worker, a pandera check
    and a rule made in the parent) and whose schema differs (employees at most 40)."""
    root = _copy(tmp)
    base = root / "2009"
    edits = {
        "messages.yaml": [
            ("'{column}' 값 '{value}'의 검증번호(마지막 자리)가 맞지 않습니다.", "[다른 규칙집] {column} {value} 검증번호 오류."),
            ("'{column}' 값 {value}이(가) 허용 범위 {min}~{max}를 벗어났습니다.", "[다른 규칙집] {column} {value}: {min}~{max}."),
        ],
        "rules.yaml": [("참석 회원사 수 {value}이(가) 회원사 수 {members}보다 많습니다.", "[다른 규칙집] 참석 {value} > 회원 {members}.")],
        "rulebook.yaml": [("min: 0, max: 100000, format: \"#,##0\", width: 10, example: 35",
                           "min: 0, max: 40, format: \"#,##0\", width: 10, example: 35")],
    }
    for file, pairs in edits.items():
        text = (base / file).read_text(encoding="utf-8")
        for old, new in pairs:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        (base / file).write_text(text, encoding="utf-8")
    return root


PACKAGED = [
    ("MEMBER_BRN_CHECKSUM", "A5", "'사업자등록번호' 값 '124-81-05539'의 검증번호(마지막 자리)가 맞지 않습니다. 사업자등록증을 보고 "
                                  "번호를 다시 확인하세요."),
    ("ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS", "C2", "참석 회원사 수 50이(가) 회원사 수 6보다 많습니다. 참석한 회원사 수를 확인하세요."),
]
OTHER = [  # by sheet and row
    ("MEMBER_EMPLOYEES_RANGE", "E3", "[다른 규칙집] 종업원수 52: 0~40. 값을 확인하세요."),
    ("MEMBER_BRN_CHECKSUM", "A5", "[다른 규칙집] 사업자등록번호 124-81-05539 검증번호 오류. 사업자등록증을 보고 번호를 다시 "
                                  "확인하세요."),
    ("MEMBER_EMPLOYEES_RANGE", "E6", "[다른 규칙집] 종업원수 41: 0~40. 값을 확인하세요."),
    ("ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS", "C2", "[다른 규칙집] 참석 50 > 회원 6. 참석한 회원사 수를 확인하세요."),
]


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_validate_switch_folder_validate_uses_the_new_rule_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                method: str) -> None:
    monkeypatch.setenv(sandbox.START_METHOD_ENV, method)
    monkeypatch.delenv("IUPJONG_IN_PROCESS", raising=False)
    monkeypatch.delenv(rulebook.ENV_VAR, raising=False)
    other = _other_rule_book(tmp_path)
    data = club_data()
    data["member"][3]["brn"] = BRNS[3][:-1] + str((int(BRNS[3][-1]) + 1) % 10)  # a wrong check digit
    data["activity"][0]["attendees"] = 50  # more than the 6 members
    path = tmp_path / "report.xlsx"
    write_template(path, "club", 2009, data)

    def run() -> list[tuple[str, str | None, str]]:
        report = validate([str(path)])
        started = {type(w.proc).__name__ for w in sandbox._IDLE["workers"]}
        assert started == {f"{method.capitalize()}Process"}  # the file was read in a worker started that way
        return [(f.code, f.cell, f.message("ko")) for f in report.findings]

    rulebook.use_root(None)
    assert run() == PACKAGED
    rulebook.use_root(other)
    assert run() == OTHER
    rulebook.use_root(None)
    assert run() == PACKAGED
    sandbox.shutdown()


def test_validate_with_a_broken_rule_book_of_another_year_is_exit_2_before_any_file_is_read(
        tmp_path: Path, write_report: Callable[..., Path]) -> None:
    root = _copy(tmp_path)
    rules = root / "2008" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("    kind: min_rows\n", "    kind: minimum_rows\n", 1),
                     encoding="utf-8")
    report = write_report(club_data())
    res = CliRunner().invoke(cli, ["--rulebook", str(root), "validate", str(report), "-q"])
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr.startswith(f"오류: 규칙집 파일 {rules}의 rules[3].kind (code: CLUB_NO_MEMBERS): 규칙 종류 "
                                 "'minimum_rows'은(는) 이 프로그램에 없습니다.")
