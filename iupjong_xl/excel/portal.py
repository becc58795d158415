"""포털에 제출: the open workbook's saved file goes to the portal's JSON API (POST /api/v1/submissions, with the
account's API token), and the findings the portal answers are shown as 검증 shows them: the cells filled, a note on
each, and the 검증결과 sheet with links. Only the standard library talks to the portal (urllib.request).

The add-in's settings (the portal's address and the token) are a small JSON file, `~/.iupjong/addin.json`
(IUPJONG_ADDIN_SETTINGS names another). When either is missing the button asks for it and keeps the answer; a
token the portal refuses is forgotten, so the next press asks again."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from iupjong_xl import service
from iupjong_xl.excel.buttons import mark, unmark, write_findings
from iupjong_xl.excel.coordinator import ask_text
from iupjong_xl.excel.live import saved_path
from iupjong_xl.excel.ribbon import ButtonError, alert, status

SETTINGS_ENV = "IUPJONG_ADDIN_SETTINGS"
TIMEOUT = 300  # seconds: a big report is validated before the portal answers
STATUS_KO = {"received": "받음", "refused": "받지 않음", "submitted": "제출됨"}


def settings_path() -> Path:
    return Path(os.environ.get(SETTINGS_ENV) or Path.home() / ".iupjong" / "addin.json")


def read_settings() -> dict[str, str]:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def write_settings(values: dict[str, str]) -> Path:
    """Keep the settings (only the owner may read the file: it holds the token)."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(values, f, ensure_ascii=False, indent=2)
    os.replace(tmp, path)
    return path


def _portal_settings(app: Any) -> dict[str, str] | None:
    """The portal address and token, asked for when missing (None: the user cancelled)."""
    values = read_settings()
    if not values.get("portal_url"):
        url = ask_text(app, "포털 주소를 입력하세요 (예: http://192.168.0.10:8000/).", "http://")
        if url is None:
            return None
        url = url.strip()
        if urllib.parse.urlsplit(url).scheme not in ("http", "https") or not urllib.parse.urlsplit(url).netloc:
            raise ButtonError(f"포털 주소 '{url}'이(가) http:// 또는 https://로 시작하는 주소가 아닙니다.",
                              "포털에 접속할 때 쓰는 주소를 그대로 입력하세요 (예: http://192.168.0.10:8000/).")
        values["portal_url"] = url
        write_settings(values)
    if not values.get("token"):
        token = ask_text(app, "포털의 [API 토큰] 화면에서 만든 토큰을 붙여 넣으세요.", "")
        if token is None:
            return None
        values["token"] = token.strip()
        write_settings(values)
    return values


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "iupjong-" + uuid.uuid4().hex
    quoted = urllib.parse.quote(name, safe="")
    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\' else "_" for ch in name)
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fallback}\"; "
            f"filename*=UTF-8''{quoted}\r\nContent-Type: application/octet-stream\r\n\r\n").encode("ascii")
    return head + data + f"\r\n--{boundary}--\r\n".encode("ascii"), f"multipart/form-data; boundary={boundary}"


def post_file(url: str, token: str, path: Path) -> dict[str, Any]:
    """POST the file to the portal's API; the answer's JSON. Every failure is a ButtonError with the fix."""
    body, content_type = _multipart(path.name, path.read_bytes())
    request = urllib.request.Request(url.rstrip("/") + "/api/v1/submissions", data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": content_type, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return dict(json.loads(answer.read().decode("utf-8")))
    except urllib.error.HTTPError as exc:
        try:
            said = json.loads(exc.read().decode("utf-8"))
        except ValueError:
            said = {}
        message = said.get("message") if isinstance(said, dict) else None
        if exc.code == 401:
            values = read_settings()
            values.pop("token", None)
            write_settings(values)
            raise ButtonError(f"포털이 API 토큰을 받지 않았습니다: {message or exc.reason}",
                              "포털에 로그인해 [API 토큰] 화면에서 새 토큰을 만들고, 다시 [포털에 제출]을 눌러 붙여 "
                              "넣으세요.") from exc
        if exc.code == 413:
            raise ButtonError(f"포털이 파일을 받지 않았습니다: {message or exc.reason}",
                              "파일 크기를 줄이세요 (그림, 빈 행·열을 지우고 저장).") from exc
        if exc.code == 403:
            raise ButtonError(f"포털이 올리기를 거절했습니다: {message or exc.reason}",
                              "교류회 계정에서 만든 API 토큰을 쓰세요.") from exc
        raise ButtonError(f"포털이 오류로 답했습니다 ({exc.code}): {message or exc.reason}",
                          "잠시 뒤 다시 누르세요. 계속되면 포털 담당자에게 알려 주세요.") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ButtonError(f"포털({url})에 연결하지 못했습니다 ({reason}).",
                          "포털 주소와 네트워크를 확인하세요. 주소를 바꾸려면 설정 파일 "
                          f"{settings_path()}의 portal_url을 고치거나 그 파일을 지우고 다시 누르세요.") from exc


def submit_to_portal(book: Any) -> dict[str, Any] | None:
    """포털에 제출: upload the saved file of the open workbook; mark and list the findings the portal answers."""
    app = book.app
    path = saved_path(book)
    if path is None:
        raise ButtonError("이 통합 문서는 아직 파일로 저장되지 않았습니다.",
                          "통합 문서를 저장한 뒤 다시 [포털에 제출]을 누르세요 (저장된 파일을 올립니다).")
    values = _portal_settings(app)
    if values is None:
        return None  # 취소
    status(app, "이업종: 포털에 올리는 중…")
    answer = post_file(values["portal_url"], values["token"], path)
    findings = [service.Finding(book.name, f.get("sheet"), f.get("cell"), f.get("row"), f.get("column"),
                                str(f.get("code")), str(f.get("severity")), {"ko": str(f.get("message") or "")},
                                f.get("value")) for f in answer.get("findings", [])]
    app.screen_updating = False
    unmark(book)
    if findings:
        write_findings(book, findings)
        mark(book, findings)
    app.screen_updating = True
    stats = answer.get("stats", {})
    errors, warnings = stats.get("errors", 0), stats.get("warnings", 0)
    line = "검증 통과" if not findings else f"오류 {errors}건 · 경고 {warnings}건"
    page = f"{values['portal_url'].rstrip('/')}/submissions/{answer.get('id')}/"
    status(app, f"이업종 포털 제출: 제출 {answer.get('id')}번 — {line}")
    if answer.get("status") == "refused":
        next_step = "포털이 이 보고서를 받지 않았습니다: [검증결과] 시트를 보세요."
    elif errors:
        next_step = "오류를 고치고 저장한 뒤 다시 [포털에 제출]을 누르세요. 오류가 있으면 연합회에 제출할 수 없습니다."
    else:
        next_step = "포털의 제출 화면에서 [연합회에 제출]을 누르면 연합회로 보냅니다."
    alert(app, f"저장된 파일 {path.name}을(를) 포털에 올렸습니다 (제출 {answer.get('id')}번, "
               f"{STATUS_KO.get(str(answer.get('status')), answer.get('status'))}).\n\n검증 결과: {line}\n\n{next_step}"
               f"\n\n포털에서 보기: {page}")
    return answer
