"""The one catalogue of the text a person reads that is not a finding: workbook labels, the command line's help and
its own messages, keyed by a stable id, in Korean and English.

Findings keep their own catalogue (each rule book's messages.yaml: the center edits it every year without a release);
this one changes with the program (a new option brings its help in the same commit), so it lives in code: checked by
mypy and ruff, nothing to load or package, and every entry declares the arguments it takes. `text(id, lang, **args)`
renders one; an argument missing or not declared is a program bug (MessageArgumentError), never a half-filled
{placeholder} on a user's screen. How to add one: docs/language.md.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

__all__ = ["CATALOGUE", "LANGS", "Message", "MessageArgumentError", "lang_of", "pair", "placeholders", "text"]

LANGS = ("ko", "en")  # Korean first: the default everywhere; English with --lang en (or IUPJONG_LANG=en)


class MessageArgumentError(TypeError):
    """A program bug: a message rendered without an argument it declares, or with one it does not (never bad
    input). Raised for findings' codes (rulebook.codes) and for this catalogue alike."""


@dataclass(frozen=True)
class Message:
    ko: str
    en: str
    args: frozenset[str] = frozenset()

    def template(self, lang: str) -> str:
        return self.en if lang == "en" else self.ko


def placeholders(template: str) -> set[str]:
    """The argument names a template uses ('{value:,}' -> 'value')."""
    return {name.split(".")[0].split("[")[0] for _lit, name, _spec, _conv in string.Formatter().parse(template)
            if name}


def _m(ko: str, en: str, *args: str) -> Message:
    return Message(ko, en, frozenset(args))


def lang_of(value: str | None) -> str:
    """'en' for English, otherwise Korean ('ko'): an unknown or missing language is Korean."""
    return "en" if value == "en" else "ko"


def text(key: str, lang: str = "ko", **args: object) -> str:
    """The message `key` in `lang` ('ko' unless 'en') with its declared arguments filled in."""
    message = CATALOGUE[key]
    if set(args) != message.args:
        missing, extra = sorted(message.args - set(args)), sorted(set(args) - message.args)
        raise MessageArgumentError(f"{key}: missing arguments {missing}, undeclared arguments {extra}")
    template = message.template(lang_of(lang))
    return template.format(**args) if message.args else template


def pair(key: str, **args: object) -> tuple[str, str]:
    """(Korean, English) of a message: what a typed error (errors.IupjongError) is built from."""
    return text(key, "ko", **args), text(key, "en", **args)


# The ids are dotted: the first part says where the text is shown. `cli.<command>[.<subcommand>]` is a command's help,
# `cli.<command>.<parameter>` an option's (by its parameter name), `cli.opt.<parameter>` the help an option has in
# every command that does not say otherwise.
CATALOGUE: dict[str, Message] = {
    # ---------------------------------------------------------------- findings tables (findings workbook, copies)
    "finding.sheet_title": _m("검증결과", "Findings"),
    "finding.head.file": _m("파일", "file"),
    "finding.head.sheet": _m("시트", "sheet"),
    "finding.head.cell": _m("셀", "cell"),
    "finding.head.row": _m("행", "row"),
    "finding.head.column": _m("항목", "column"),
    "finding.head.code": _m("코드", "code"),
    "finding.head.severity": _m("구분", "severity"),
    "finding.head.message": _m("내용", "message"),
    "finding.head.value": _m("값", "value"),
    "severity.error": _m("오류", "error"),
    "severity.warning": _m("경고", "warning"),
    "word.yes": _m("예", "yes"),
    "word.no": _m("아니오", "no"),
    "word.open": _m("열기", "open"),
    # --------------------------------------------------------------------------- the findings workbook's summary
    "findings_xlsx.summary_title": _m("요약", "Summary"),
    "findings_xlsx.title": _m("검증 요약", "Validation summary"),
    "findings_xlsx.valid": _m("검증 통과", "valid"),
    "findings_xlsx.stat.files": _m("파일 수", "files"),
    "findings_xlsx.stat.files_valid": _m("통과한 파일 수", "files valid"),
    "findings_xlsx.stat.rows": _m("읽은 데이터 행 수", "data rows read"),
    "findings_xlsx.stat.errors": _m("오류 건수", "errors"),
    "findings_xlsx.stat.warnings": _m("경고 건수", "warnings"),
    "findings_xlsx.file_head.file": _m("파일", "file"),
    "findings_xlsx.file_head.errors": _m("오류", "errors"),
    "findings_xlsx.file_head.warnings": _m("경고", "warnings"),
    "findings_xlsx.file_head.valid": _m("통과 여부", "valid"),
    "findings_xlsx.code_head.code": _m("코드", "code"),
    "findings_xlsx.code_head.count": _m("건수", "count"),
    "findings_xlsx.code_head.severity": _m("구분", "severity"),
    "findings_xlsx.code_head.message": _m("내용 (첫 사례)", "message (first case)"),
    "findings_xlsx.pass": _m("통과", "pass"),
    "findings_xlsx.fail": _m("실패", "fail"),
    "findings_xlsx.none": _m("찾은 문제가 없습니다.", "No problems found."),
    "findings_xlsx.links_copies": _m("링크는 오류를 표시한 사본의 해당 셀을 엽니다.",
                                     "Links open the cell in the marked-up copy of each file."),
    "xlsx.links_note": _m("링크는 이 파일이 있는 폴더({where}) 기준입니다. 옮길 때는 링크한 보고서 파일과 함께 옮기세요.",
                          "Links are relative to this file's folder ({where}): move this file together with the "
                          "reports it links to.", "where"),
    # ------------------------------------------------------------------------------------- marked-up copies
    "annotate.suffix": _m("_검증", "_findings"),
    # ------------------------------------------------------------------------ templates: a column's type, in words
    "column_type.text": _m("글자", "text"),
    "column_type.int": _m("정수", "whole number"),
    "column_type.float": _m("숫자", "number"),
    "column_type.date": _m("날짜", "date"),
    "column_type.bool": _m("예/아니오", "yes/no"),
    "column_type.brn": _m("사업자등록번호", "BRN"),
    "column_type.brn_list": _m("사업자등록번호 목록", "BRN list"),
    # ------------------------------------------------------------------------------ the command line: messages
    "cli.progress": _m("검증 중", "validating"),
    "cli.progress_file": _m("검증 중 {name}", "validating {name}", "name"),
    "cli.progress_count": _m("파일 {n}개", "{n} files", "n"),
    "cli.needs_output": _m("--format xlsx에는 -o FILE이 필요합니다", "--format xlsx needs -o FILE"),
    "cli.extract_needs_output": _m("--extract에는 -o FILE이 필요합니다", "--extract needs -o FILE"),
    "cli.trends_needs_inputs": _m("두 해 이상의 취합 통합 문서를 주거나 --ledger iupjong.db를 주세요",
                                  "name the consolidated workbooks of two or more years, or --ledger iupjong.db"),
    # --------------------------------------------------------------------- the command line: help of every command
    "cli": _m("iupjong-xl: 이업종 교류 실적보고서 검증·취합 도구.\n\n"
              "종료 코드: 0 = 오류 없음, 1 = 파일에서 오류를 찾음, 2 = 사용법 오류 (잘못된 옵션, 규칙집이 없거나 깨짐), "
              "3 = 프로그램 내부 오류.",
              "iupjong-xl: validate and consolidate the reports of the cross-industry exchange clubs.\n\n"
              "Exit status: 0 = no errors, 1 = errors found in the files, 2 = usage (bad option, missing or broken "
              "rule book), 3 = internal failure of the program."),
    "cli.version": _m("버전을 보여 주고 끝냅니다.", "Show the version and exit."),
    "cli.rulebook_dir": _m("규칙집을 포함된 것 대신 DIR에서 읽습니다 (validation/처럼 <연도>/rulebook.yaml ...); "
                           "IUPJONG_RULEBOOK 환경 변수로도 줄 수 있습니다",
                           "read rule books from DIR (laid out like validation/: <year>/rulebook.yaml ...) instead of "
                           "the packaged ones; also IUPJONG_RULEBOOK"),
    "cli.lang": _m("화면과 파일의 언어: ko (한국어, 기본) 또는 en (English); IUPJONG_LANG 환경 변수로도 줄 수 있습니다",
                   "language of the screen and the files: ko (Korean, the default) or en (English); also "
                   "IUPJONG_LANG"),
    "cli.opt.lang": _m("언어: ko (한국어) 또는 en (English); 기본은 iupjong --lang 또는 IUPJONG_LANG, 없으면 ko",
                       "language: ko (Korean) or en (English); default: iupjong --lang or IUPJONG_LANG, else ko"),
    "cli.opt.fmt": _m("출력 형식", "output format"),
    "cli.opt.quiet": _m("진행 표시줄을 보이지 않습니다", "no progress bar"),
    "cli.template": _m("KIND와 YEAR의 빈 표준 보고서 서식을 씁니다.",
                       "Write a blank standard report workbook (서식) for KIND and YEAR."),
    "cli.template.kind": _m("club = 단위교류회, federation = 지역연합회", "club = 단위교류회, federation = 지역연합회"),
    "cli.template.year": _m("보고 연도 (규칙집)", "report year (rule book)"),
    "cli.template.output": _m("쓸 .xlsx 파일", "the .xlsx to write"),
    "cli.validate": _m("보고서 통합 문서를 검증합니다 (파일 또는 폴더, 하위 폴더 포함). 종료 코드 0 = 오류 없음, "
                       "1 = 오류, 2 = 사용법, 3 = 내부 오류 (JSON에는 한 일이 그대로 남습니다).",
                       "Validate report workbooks (files or folders, recursive). Exit 0 = no errors, 1 = errors, "
                       "2 = usage, 3 = internal failure (the JSON still lists what was done)."),
    "cli.validate.output": _m("--format xlsx/json의 결과 파일", "file for --format xlsx/json"),
    "cli.validate.annotate": _m("오류를 표시한 사본을 이 폴더에 씁니다", "write marked-up copies here"),
    "cli.validate.year": _m("이 보고 연도를 기대합니다 (기본: 서식에 적힌 연도)",
                            "expect this report year (default: the template's own)"),
    "cli.validate.max_rows": _m("시트마다 허용하는 데이터 행 수", "data rows allowed per sheet"),
    "cli.validate.ledger": _m("이 원장에 있는 전년도와 비교합니다 (전년 대비 타당성)",
                              "compare with the previous year this ledger holds (year-over-year plausibility)"),
    "cli.consolidate": _m("교류회·연합회 보고서(파일 또는 폴더)를 검증하고 통합 문서 하나로 취합합니다.\n\n"
                          "종료 코드 0 = 취합, 오류 없음; 1 = 취합했으나 제외한 행이나 파일이 있음; 2 = 사용법; "
                          "3 = 내부 오류.",
                          "Validate and consolidate club/federation reports (files or folders) into one workbook.\n\n"
                          "Exit 0 = consolidated, no errors; 1 = consolidated, but some rows or files were rejected; "
                          "2 = usage; 3 = internal failure."),
    "cli.consolidate.output": _m("취합 통합 문서 (있으면 그 자리에서 갱신)",
                                 "the consolidated workbook (updated in place when it exists)"),
    "cli.consolidate.level": _m("취합 단위: federation (연합회) 또는 national (전국)",
                                "level: federation or national"),
    "cli.consolidate.year": _m("보고 연도 (기본: 입력 파일의 연도)", "report year (default: the inputs' year)"),
    "cli.consolidate.dry_run": _m("아무것도 쓰지 않고 일어날 일만 보여 줍니다", "write nothing; print what would happen"),
    "cli.consolidate.ledger": _m("원장 (기본: 결과 파일 폴더의 iupjong.db)",
                                 "the ledger (default: iupjong.db in the output's folder)"),
    "cli.consolidate.no_ledger": _m("원장을 두지 않습니다: 통합 문서만이 기록입니다 (이력·수정 감지 없음)",
                                    "keep no ledger: the workbook is the only record (no history, no edit detection)"),
    "cli.refresh": _m("사람이 입력한 것(지원금의 평가점수, 고친 값)을 받아 취합 통합 문서의 지표와 지원금 선정을 다시 "
                      "계산하고, consolidate처럼 알립니다: 받은 것, 되살린 행, 따로 둔 사본, 검증 결과. 종료 코드 "
                      "0 = 오류 없음, 1 = 입력한 값이 규칙에 맞지 않음(오류), 2 = 사용법, 3 = 내부 오류.",
                      "Take what people typed (scores in 지원금, corrections), recompute indicators and the funding "
                      "round of a consolidated workbook, and report like consolidate: what was taken, restored and "
                      "backed up, and the findings. Exit 0 = no errors; 1 = a typed value breaks its rule; 2 = usage; "
                      "3 = internal failure."),
    "cli.refresh.ledger": _m("원장 (기본: 통합 문서 폴더의 iupjong.db)",
                             "the ledger (default: iupjong.db in the workbook's folder)"),
    "cli.verify": _m("취합 통합 문서를 원장과 대조합니다: 프로그램이 쓴 모든 칸(값, 수식, 숫자 서식), 시트와 행, 입력 칸. "
                     "종료 코드 0 = 모두 일치, 1 = 차이 있음, 2 = 사용법.",
                     "Prove a consolidated workbook against its ledger. Exit 0 = everything holds, 1 = differences, "
                     "2 = usage."),
    "cli.verify.ledger": _m("원장 (기본: 통합 문서 폴더의 iupjong.db)",
                            "the ledger (default: iupjong.db in the workbook's folder)"),
    "cli.history": _m("원장에 있는 취합 통합 문서의 교류회 보고서·명부의 모든 버전: 받은 때, 파일, sha256, 실행한 사람, "
                      "처리, 현재 버전. --diff: 바뀐 내용; --extract SHA256 -o FILE: 받은 그대로의 파일.\n\n"
                      "종료 코드 0 = 완료, 2 = 사용법 (원장 없음, 모르는 교류회 코드·연도·sha256).",
                      "Every version of each club report and roster of a consolidated workbook in its ledger: when "
                      "received, file, sha256, who ran it, status, which is current. --diff: what changed; --extract "
                      "SHA256 -o FILE: the file as received.\n\n"
                      "Exit 0 = done, 2 = usage (no ledger, unknown club code, year or sha256)."),
    "cli.history.year": _m("이 보고 연도만", "only this report year"),
    "cli.history.ledger": _m("원장 (기본: 통합 문서 폴더의 iupjong.db)",
                             "the ledger (default: iupjong.db in the workbook's folder)"),
    "cli.history.diff": _m("이어지는 버전 사이에 바뀐 것: 추가·삭제된 행, 바뀐 모든 값 (이전 -> 새)",
                           "what changed between consecutive versions: rows added and removed, every cell changed "
                           "(old -> new)"),
    "cli.history.extract_sha": _m("받은 파일(sha256 또는 8자 이상의 고유한 앞부분)의 저장된 내용을 -o FILE로 꺼냅니다",
                                  "write the stored bytes of this received file (its sha256, or a unique prefix of 8+ "
                                  "characters) to -o FILE"),
    "cli.history.output": _m("--extract로 꺼낼 파일", "the file for --extract"),
    "cli.codes": _m("한 해 규칙집의 모든 규칙 코드를 심각도·메시지와 함께 보여 줍니다.",
                    "List every rule code of a year's rule book with its severity and message."),
    "cli.codes.year": _m("규칙집 연도", "rule-book year"),
    "cli.sample": _m("결정적 샘플 파일 묶음(sample_workbooks/)을 (다시) 만듭니다.",
                     "(Re)generate the deterministic sample corpus (sample_workbooks/)."),
    "cli.sample.output": _m("샘플을 쓸 폴더", "the folder of the samples"),
    "cli.sample.seed": _m("난수 시드 (같은 시드 = 같은 파일)", "random seed (same seed = same files)"),
    "cli.templates": _m("모든 규칙집 연도의 모든 표준 서식을 한 폴더(templates/)에 (다시) 만듭니다.",
                        "(Re)generate every standard template of every rule-book year into a folder (templates/)."),
    "cli.templates.output": _m("서식을 쓸 폴더", "the folder of the templates"),
    "cli.directory": _m("취합 통합 문서의 회원사 명부: 모든 회원사를 (사업자등록번호로) 한 번씩, 요약 시트와 함께.",
                        "Company directory of a consolidated workbook: every member company once (by BRN), with "
                        "summary sheets."),
    "cli.directory.output": _m("쓸 회원사 명부 통합 문서", "the directory workbook to write (회원사 명부)"),
    "cli.partners": _m("주관기업이 찾는 기술에 맞는 다른 업종(KSIC 중분류)의 회원사 순위를 매기고, 제안한 협력체를 "
                       "검토합니다.",
                       "Rank member companies of other KSIC divisions for a lead company's need; check the proposed "
                       "consortium."),
    "cli.partners.lead": _m("주관기업 사업자등록번호", "lead company BRN (주관기업 사업자등록번호)"),
    "cli.partners.need": _m('찾는 기술·제품, 예: "폐열 회수 열교환기"', 'the need (찾는 기술·제품), e.g. "폐열 회수 열교환기"'),
    "cli.partners.top": _m("보여 줄 후보 수", "number of candidates shown"),
    "cli.partners.same_federation": _m("주관기업의 연합회 회원사만", "only companies of the lead's federation"),
    "cli.partners.with_": _m("제안할 협력체의 참여 기업 (기본: 상위 3곳)",
                             "partners of the proposed consortium (default: the top 3)"),
    "cli.partners.output": _m("--format xlsx/json의 결과 파일", "file for --format xlsx/json"),
    "cli.trends": _m("여러 해 취합 통합 문서의 지표를 나란히: 증감과 지원예산.",
                     "Indicators of consolidated workbooks of several years side by side, with changes and the "
                     "support budget."),
    "cli.trends.output": _m("쓸 추이 통합 문서", "the trends workbook to write"),
    "cli.trends.ledger": _m("이 원장에 있는 모든 연도 (통합 문서를 이름으로 주는 대신)",
                            "every year this ledger holds (instead of naming the workbooks)"),
    "cli.publish": _m("원장에서 공개 자료: 해마다 현재 전국 취합본을 개인정보 없이 SQLite, 표마다 CSV·JSON, "
                      "datapackage.json (Frictionless), metadata.yaml (Datasette)로. 종료 코드 0 = 씀; 1 = 허용 목록에 "
                      "없는 열이 공개될 뻔함 (아무것도 쓰지 않음); 2 = 사용법.",
                      "Open data (공개 자료) from a ledger: each year's current national view without personal data, "
                      "as SQLite, CSV and JSON per table, datapackage.json (Frictionless) and metadata.yaml "
                      "(Datasette). Exit 0 = written; 1 = a column the allow-list does not declare would be published "
                      "(nothing written); 2 = usage."),
    "cli.publish.output": _m("공개 자료 폴더 (이전 것이 있으면 통째로 바꿈)",
                             "the folder of the open-data snapshot (replaced as a whole when it holds an earlier one)"),
    "cli.addin": _m("Excel 추가 기능([이업종] 리본): Excel에 설치하고, 점검하고, 지우고, addin/에서 다시 만듭니다.",
                    "The Excel add-in (이업종 ribbon): install it into Excel, check it, remove it, rebuild it from "
                    "addin/."),
    "cli.addin.install": _m("xlwings 추가 기능(RunPython)과 iupjong.xlam을 Excel의 XLSTART 폴더에 설치하고 (Windows, "
                            "macOS), 점검한 뒤 고칠 수 있는 것을 고칩니다. 종료 코드 0 = 모두 정상, 1 = 문제가 남음.",
                            "Install xlwings' add-in (RunPython) and iupjong.xlam into Excel's XLSTART folder "
                            "(Windows, macOS), then run the doctor's checks and repair what can be. Exit 0 when all "
                            "is well, 1 when a problem remains."),
    "cli.addin.install.xlam": _m("설치할 .xlam (기본: 이 체크아웃의 addin/iupjong.xlam)",
                                 "the .xlam to install (default: addin/iupjong.xlam of this checkout)"),
    "cli.addin.doctor": _m("지원 요청을 위해 추가 기능 설치를 점검합니다: Python과 패키지 버전, xlwings 추가 기능과 "
                           "(macOS) AppleScript, XLSTART의 iupjong.xlam, xlwings.conf의 인터프리터. 종료 코드 0 = 모두 "
                           "정상, 1 = 문제 있음 (각각 고치는 법과 함께).",
                           "Check the add-in setup for a support call: Python and package versions, xlwings' add-in "
                           "and (macOS) its AppleScript, iupjong.xlam in XLSTART, the interpreter in xlwings.conf. "
                           "Exit 0 = all well, 1 = problems (each with its fix)."),
    "cli.addin.remove": _m("Excel의 XLSTART 폴더에서 iupjong.xlam을 지웁니다 (xlwings 추가 기능은 남습니다).",
                           "Remove iupjong.xlam from Excel's XLSTART folder (the xlwings add-in stays)."),
    "cli.addin.build": _m("addin/(VBA 모듈, customUI.xml)에서 pyOpenVBA로 addin/iupjong.xlam을 다시 만듭니다 "
                          "(재현 가능).\n\n--check는 새로 만든 것과 바이트를 비교하고, 다르면 (다른 pyOpenVBA) 패키지 "
                          "부분과 모듈 소스를 비교해 같으면 통과합니다.",
                          "Rebuild addin/iupjong.xlam from addin/ (VBA modules, customUI.xml) with pyOpenVBA; "
                          "reproducible.\n\n--check compares the bytes with a fresh build; when they differ (another "
                          "pyOpenVBA writer), it compares the package parts and the module sources pyOpenVBA "
                          "extracts, and passes if those are the same."),
    "cli.addin.build.check": _m("addin/iupjong.xlam이 addin/을 새로 만든 것과 다르면 종료 코드 1",
                                "exit 1 when addin/iupjong.xlam is not a fresh build of addin/"),
    "cli.portal": _m("웹 포털: 교류회 총무가 브라우저로 보고서를 올리고 모든 오류를 셀 위치와 함께 읽습니다. "
                     '추가 설치 필요: pip install "iupjong-xl[portal]".',
                     "The portal (웹 포털): club secretaries upload their report in a browser and read every finding "
                     'at its cell. Needs the extra: pip install "iupjong-xl[portal]".'),
    "cli.portal.init": _m("포털 폴더(원장, 계정 데이터베이스, 비밀 키, 설정)를 만듭니다; 다시 실행하면 빠진 것만 채우고 "
                          "나머지는 그대로 둡니다.",
                          "Create a portal folder (ledger, accounts database, secret key, settings); run again, it "
                          "completes what is missing and keeps the rest."),
    "cli.portal.init.profile": _m("lan (기본): 믿을 수 있는 사무실 망의 HTTP; https: TLS 프록시 뒤 (Secure 쿠키, HSTS, "
                                  "HTTPS로 이동)",
                                  "lan (default): plain HTTP on a trusted office network; https: behind a TLS proxy "
                                  "(Secure cookies, HSTS, redirect to HTTPS)"),
    "cli.portal.user": _m("포털 계정.", "Portal accounts."),
    "cli.portal.user.add": _m("역할을 정해 계정 하나를 만듭니다; 비밀번호는 표준 입력에서 읽습니다 (인자로 주면 프로세스 "
                              "목록과 셸 기록에 남습니다).",
                              "Add one account with its role; the password is read from stdin (never an argument: it "
                              "would show in the process list and the shell history)."),
    "cli.portal.user.add.role": _m("계정의 역할: club (교류회), federation (연합회), center (중앙회)",
                                   "the account's role: club, federation, center"),
    "cli.portal.user.add.club_code": _m("교류회 계정의 교류회 코드 (예: SEO-001)",
                                        "the club code of a club account (e.g. SEO-001)"),
    "cli.portal.user.add.federation": _m("연합회 계정의 연합회 (예: 서울)",
                                         "the federation of a federation account (e.g. 서울)"),
    "cli.portal.user.add.password_stdin": _m("비밀번호를 표준 입력의 첫 줄에서 읽습니다",
                                             "read the password from the first line of stdin"),
    "cli.portal.accounts": _m("연합회 명부의 교류회마다, 연합회마다, 중앙회에 계정 하나씩을 만들고 처음 비밀번호를 CSV에 "
                              "적습니다; 첫 로그인에서 새 비밀번호를 정합니다. 이미 있는 계정은 그대로 두고 CSV에 넣지 "
                              "않습니다.",
                              "One account per club of the federation rosters, one per federation and one for the "
                              "center, each with a random initial password written to the CSV; the first login asks "
                              "for a new password. Existing accounts are kept and left out of the CSV."),
    "cli.portal.accounts.sources": _m("명부가 있는 연합회 보고서 (파일 또는 폴더)",
                                      "federation reports (files or folders) whose rosters list the clubs"),
    "cli.portal.accounts.output": _m("새 계정과 처음 비밀번호를 적을 CSV (나눠 준 뒤 지우세요)",
                                     "the CSV of the new accounts and their initial passwords (for handing out)"),
    "cli.portal.serve.public_index": _m("검색 엔진이 공개 페이지를 색인하게 합니다 (robots.txt); 없으면 robots.txt가 모두 "
                                        "막습니다",
                                        "let search engines index the public pages (robots.txt); without it "
                                        "robots.txt disallows everything"),
    "cli.portal.publish": _m("포털의 공개 자료를 냅니다: FOLDER/iupjong.db를 FOLDER/published로 `iupjong publish` 하고, "
                             "공개 페이지(통계, 회원사 찾기, 자료 내려받기)가 그것을 읽습니다. 종료 코드 0 = 씀; 1 = 허용 목록에 "
                             "없는 열이 실릴 뻔함(아무것도 쓰지 않음); 2 = 사용법.",
                             "Publish the portal's open data: `iupjong publish` of FOLDER/iupjong.db into "
                             "FOLDER/published, which the public pages (통계, 회원사 찾기, 자료 내려받기) read. Exit 0 = "
                             "written; 1 = a column the allow-list does not declare would be published (nothing "
                             "written); 2 = usage."),
    "cli.portal.demo": _m("포털을 써 보기 위한 데모 폴더를 만듭니다: 2009년 표본 보고서를 각 교류회 계정으로 올리고, 전국 "
                          "취합하고, 공개 자료를 냅니다. 데모 계정(비밀번호가 모두 같음)을 보여 줍니다. 실제 운영에는 "
                          "쓰지 마세요.",
                          "Make a demo folder to try the portal: the 2009 sample reports uploaded by their clubs' "
                          "accounts, consolidated nationally and published. Prints the demo accounts (all with the "
                          "same password). Not for production."),
    "cli.portal.demo.reports": _m("올릴 보고서 폴더 (기본: 표본 보고서를 만들어 씀)",
                                  "the folder of reports to upload (default: the generated sample corpus)"),
    "cli.portal.serve": _m("Ctrl+C로 멈출 때까지 포털을 엽니다 (waitress; 정적 파일 포함).",
                           "Serve the portal (waitress; static files included) until stopped with Ctrl+C."),
    "cli.portal.serve.host": _m("받을 주소", "the address to listen on"),
    "cli.portal.serve.port": _m("받을 포트", "the port to listen on"),
}
