"""The sample problem workbooks: copies of real sample clubs with one mistake each, and their README table."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from iupjong_xl.outputs.templates import Formula, write_template
from iupjong_xl.samples.corpus import Club, Corpus, Data, club_data, federation_data
from iupjong_xl.validate.normalize import make_brn


class Expect(NamedTuple):
    code: str | None
    severity: str
    sheet: str | None
    cell: str | None
Edit = Callable[[Data, Corpus], Any]


@dataclass(frozen=True)
class ProblemWorkbook:
    file: str
    mistake: str  # what the secretary did, in Korean
    expect: tuple[Expect, ...]  # exactly these findings (code None: tolerated, no finding at all)
    edit: Edit | None = None  # change the records of a valid report
    post: Callable[[Any], Any] | None = None  # change the written workbook (openpyxl)
    needs: Callable[[Club], bool] = lambda club: True  # clubs where the mistake gives exactly the expected findings
    kind: str = "club"  # club | federation | raw (the bytes in `raw`)
    raw: bytes = b""

    @property
    def tolerated(self) -> bool:
        return all(e.code is None for e in self.expect)


def _e(code: str | None, sheet: str | None, cell: str | None, severity: str = "error") -> Expect:
    return Expect(code, "tolerated" if code is None else severity, sheet, cell)


def _set(sheet: str, row: int, **values: Any) -> Edit:
    return lambda d, _: d[sheet][row].update(values)


def _free(i: int) -> Callable[[Club], bool]:
    """Member i is in no result or consortium (changing it breaks nothing else)."""
    return lambda c: c.members[i].brn not in _used(c)


def _used(club: Club) -> set[str]:
    return {b for r in club.results for b in r.participants} | {b for c in club.consortia for b in (c.lead, *c.partners)}


def _outsider(corpus: Corpus) -> str:
    """A valid registration number of a company outside the corpus (a supplier, say)."""
    used = {c.brn for c in corpus.companies()}
    return next(b for s in range(1, 10000) if (b := make_brn(f"21481{s:04d}")) not in used)


_HTML = ('<html><head><meta charset="utf-8"></head><body><table><tr><td>사업자등록번호</td><td>회사명</td></tr>'
         "<tr><td>116-82-00276</td><td>한빛정밀(주)</td></tr></table></body></html>\n").encode()
W = "warning"
PROBLEMS: tuple[ProblemWorkbook, ...] = (
    ProblemWorkbook("01_사업자번호_검증번호.xlsx", "사업자등록번호 마지막 자리(검증번호)를 잘못 옮겨 적음", (_e("MEMBER_BRN_CHECKSUM", "회원사", "A7"),),
            lambda d, _: d["member"][5].update(brn=d["member"][5]["brn"][:-1] + str((int(d["member"][5]["brn"][-1]) + 5) % 10)),
            needs=_free(5)),
    ProblemWorkbook("02_사업자번호_9자리.xlsx", "사업자등록번호를 9자리만 입력 (마지막 자리 누락)", (_e("MEMBER_BRN_FORMAT", "회원사", "A8"),),
            lambda d, _: d["member"][6].update(brn=d["member"][6]["brn"][:-1]), needs=_free(6)),
    ProblemWorkbook("03_업종_자유기재.xlsx", "업종을 목록에서 고르지 않고 '기계 제조'라고 직접 씀", (_e("MEMBER_KSIC_ALLOWED", "회원사", "D6"),),
            _set("member", 4, ksic="기계 제조"), needs=_free(4)),
    ProblemWorkbook("04_참석_회원사수초과.xlsx", "월례회 참석란에 회원사 수 대신 참석한 사람 수를 적음",
            (_e("ACTIVITY_ATTENDANCE_EXCEEDS_MEMBERS", "활동", "C2"),), lambda d, _: d["activity"][0].update(attendees=len(d["member"]) + 7)),
    ProblemWorkbook("05_정부지원금_80퍼센트.xlsx", "정부지원금을 총사업비의 80%로 신청 (한도 75%)",
            (_e("CONSORTIUM_GOV_SHARE_MAX", "협력과제", "F2", W), _e("CONSORTIUM_COMPANY_SHARE_MIN", "협력과제", "G2", W)),
            _set("consortium", 0, total_won=20_000_000, gov_won=16_000_000, company_won=4_000_000), needs=lambda c: bool(c.consortia)),
    ProblemWorkbook("06_총사업비_한도초과.xlsx", "총사업비를 2,500만원으로 신청 (협력체당 2,000만원 한도)", (_e("CONSORTIUM_TOTAL_CAP", "협력과제", "E2", W),),
            _set("consortium", 0, total_won=25_000_000, gov_won=18_750_000, company_won=6_250_000), needs=lambda c: bool(c.consortia)),
    ProblemWorkbook("07_분담금_합계불일치.xlsx", "정부지원금을 줄이고 기업부담금은 그대로 두어 합계가 총사업비와 다름",
            (_e("CONSORTIUM_SHARES_SUM", "협력과제", "F2"),),
            _set("consortium", 0, total_won=20_000_000, gov_won=14_000_000, company_won=5_000_000), needs=lambda c: bool(c.consortia)),
    ProblemWorkbook("08_참여기업_비회원.xlsx", "성과 참여기업에 회원사가 아닌 협력업체 번호를 넣음", (_e("RESULT_COMPANY_NOT_MEMBER", "성과", "C2"),),
            lambda d, corpus: d["result"][0].update(participants=f"{d['result'][0]['participants']}, {_outsider(corpus)}"),
            needs=lambda c: bool(c.results)),
    ProblemWorkbook("09_회장사_명단누락.xlsx", "회원사 명단에 회장사를 빠뜨림", (_e("CLUB_CHAIR_NOT_MEMBER", "교류회", "B7"),),
            lambda d, _: d["member"].pop(0), needs=lambda c: c.role("회장").brn not in _used(c)),
    ProblemWorkbook("10_업종_한가지.xlsx", "첫 행의 업종을 아래로 끌어 채워 모든 회원사가 같은 업종이 됨", (_e("CLUB_NOT_CROSS_INDUSTRY", "회원사", "D1", W),),
            lambda d, _: [m.update(ksic=d["member"][0]["ksic"]) for m in d["member"]], needs=lambda c: not c.consortia),
    ProblemWorkbook("11_사업자번호_중복.xlsx", "같은 회원사를 복사해 두 번 붙여 넣음", (_e("MEMBER_BRN_DUPLICATE", "회원사", "A6"),),
            lambda d, _: d["member"].insert(4, dict(d["member"][3]))),
    ProblemWorkbook("12_날짜_13월.xlsx", "일자를 '2009.13.01'로 입력 (없는 달)", (_e("ACTIVITY_DATE_TYPE", "활동", "A2"),),
            _set("activity", 0, date="2009.13.01")),
    ProblemWorkbook("13_종업원수_약30명.xlsx", "종업원수에 '약 30명'이라고 글자로 씀", (_e("MEMBER_EMPLOYEES_TYPE", "회원사", "E4"),),
            _set("member", 2, employees="약 30명")),
    ProblemWorkbook("14_수식오류_DIV0.xlsx", "매출액 칸의 나눗셈 수식이 빈 칸을 참조해 #DIV/0! 표시", (_e("CELL_EXCEL_ERROR", "회원사", "F5"),),
            _set("member", 3, sales_mwon=Formula("=J5/K5", "#DIV/0!"))),
    ProblemWorkbook("15_제목_별칭_공백.xlsx", "제목 '사업자등록번호'를 ' 사업자 번호 '로 바꿈 (별칭·공백은 허용)", (_e(None, "회원사", "A1"),),
            post=lambda wb: setattr(wb["회원사"]["A1"], "value", " 사업자 번호 ")),
    ProblemWorkbook("16_열_추가.xlsx", "회원사 시트 끝에 서식에 없는 '휴대전화' 열을 추가", (_e("FILE_COLUMN_EXTRA", "회원사", "J1", W),),
            lambda d, _: [m.update({"+휴대전화": f"010-{3100 + 37 * i}-{1000 + 101 * i}"}) for i, m in enumerate(d["member"])]),
    ProblemWorkbook("17_시트_삭제.xlsx", "협력과제 신청이 없다고 '협력과제' 시트를 지움", (_e("FILE_SHEET_MISSING", "협력과제", None),),
            post=lambda wb: wb.remove(wb["협력과제"]), needs=lambda c: not c.consortia),
    ProblemWorkbook("18_보고연도_2008.xlsx", "작년 파일을 고쳐 쓰면서 보고연도 2008을 그대로 둠", (_e("CLUB_REPORT_YEAR_MISMATCH", "교류회", "B6"),),
            _set("club", 0, report_year=2008)),
    ProblemWorkbook("19_연합회_제출여부_글자.xlsx", "명부의 보고서 제출 칸에 예/아니오 대신 '제출'이라고 씀",
            (_e("ROSTER_REPORTED_TYPE", "교류회 명부", "F2"),), _set("roster", 0, reported="제출"), kind="federation"),
    ProblemWorkbook("20_엑셀아님_HTML.xlsx", "그룹웨어에서 '엑셀로 저장'한 웹 페이지(HTML)를 보냄", (_e("FILE_NOT_WORKBOOK", None, None),),
            kind="raw", raw=_HTML),
    ProblemWorkbook("21_빈파일.xlsx", "메일 첨부가 끊겨 0바이트 파일이 됨", (_e("FILE_EMPTY", None, None),), kind="raw"),
)


def write_problems(corpus: Corpus, folder: Path) -> list[Path]:
    """Each problem as a copy of a valid report of the corpus with its mistake, plus README.md from the same table."""
    folder.mkdir(parents=True, exist_ok=True)
    year, written = corpus.spec.year, []
    clubs = [c for c in corpus.reporting_clubs() if not any(r.flaw for r in c.consortia)]  # no planned findings
    for i, p in enumerate(PROBLEMS):
        written.append(path := folder / p.file)
        if p.kind == "raw":
            path.write_bytes(p.raw)
            continue
        if p.kind == "federation":
            data = federation_data(corpus.federations[i % len(corpus.federations)], year)
        elif fits := [c for c in clubs if p.needs(c)]:
            data = club_data(fits[i % len(fits)], year)  # spread the mistakes over different clubs
        else:
            raise ValueError(f"no club of the corpus can carry problem {p.file}")
        if p.edit:
            p.edit(data, corpus)
        write_template(path, p.kind, year, data)
        if p.post:
            _edit_workbook(path, p.post)
    (readme := folder / "README.md").write_text(problems_readme(), encoding="utf-8")
    return [*written, readme]


README_HEAD = ["파일", "시트", "셀", "실수 (mistake)", "기대 코드 (expected code)", "구분 (오류/경고)"]
SEVERITY_KO = {"error": "오류", "warning": "경고", "tolerated": "허용 (tolerated)"}


def readme_rows() -> list[list[str]]:
    """One row per expected finding (a tolerated file: one row with no code)."""
    return [[p.file, e.sheet or "—", e.cell or "—", p.mistake, e.code or "— (지적 없음)", SEVERITY_KO[e.severity]]
            for p in PROBLEMS for e in p.expect]


def problems_readme() -> str:
    lines = ["# 문제 예제 (problems/)", "",
             "`iupjong sample`이 만드는 파일이니 손으로 고치지 마세요. 파일마다 정상 보고서를 복사해 교류회 총무들이 실제로 "
             "자주 하는 실수를 하나씩 넣었습니다. `iupjong validate`는 아래 표의 코드를 그 시트와 셀에 정확히 보고하고, "
             "'허용' 파일에는 아무 지적도 하지 않아야 합니다. 이 표는 `iupjong_xl/samples.py`의 `PROBLEMS`에서 만들어집니다.",
             "", "| " + " | ".join(README_HEAD) + " |", "|" + "---|" * len(README_HEAD)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in readme_rows()]) + "\n"


def _edit_workbook(path: Path, edit: Callable[[Any], Any]) -> None:
    """Change a written workbook with openpyxl and save it reproducibly (fixed modified time and zip entry times)."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    edit(wb)
    buf, out = io.BytesIO(), io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2009-01-01T00:00:00Z", body)
            zout.writestr(zipfile.ZipInfo(info.filename, (2009, 1, 1, 0, 0, 0)), body, zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())
