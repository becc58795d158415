"""The ribbon's dispatch: a tag names a button function; every error it raises becomes a Korean message box."""

from __future__ import annotations

import contextlib
import datetime
import importlib
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iupjong_xl.errors import IupjongError, OutputError, RuleBookError

TITLE = "이업종"


class ButtonError(IupjongError):
    """Something the user can fix: the message box names the problem and the fix, in Korean."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem, self.fix = problem, fix


# ------------------------------------------------------------------------------------------------- dispatch


def resolve(tag: str) -> Callable[..., Any]:
    """The function a ribbon tag ("module:function") names; only public functions of this package qualify."""
    module, sep, name = tag.partition(":")
    if not sep or not (module == "iupjong_xl" or module.startswith("iupjong_xl.")) or not name.isidentifier() \
            or name.startswith("_"):
        raise ButtonError(f"리본 단추 설정(tag) '{tag}'이(가) 'iupjong_xl.모듈:함수' 모양이 아닙니다.",
                      "addin/customUI.xml의 tag를 고치고 python addin/build.py로 추가 기능을 다시 만드세요.")
    try:
        fn = getattr(importlib.import_module(module), name, None)
    except ImportError as exc:
        raise ButtonError(f"리본 단추가 부르는 모듈 {module}을(를) 불러오지 못했습니다 ({exc}).",
                      "명령 프롬프트에서 pip install -e . 로 iupjong-xl을 다시 설치하세요.") from exc
    if not callable(fn):
        raise ButtonError(f"리본 단추가 부르는 함수 {tag}이(가) 없습니다.",
                      "iupjong-xl과 추가 기능(iupjong.xlam)의 버전을 맞추세요: iupjong addin install.")
    return fn


def dispatch(tag: str, book: Any = None) -> Any:
    """Run the button function a tag names for the calling book; every error becomes a Korean message box."""
    if book is None:
        try:
            import xlwings as xw

            book = xw.Book.caller()
        except Exception as exc:  # no Excel link: xlwings shows what Python prints, so say it in Korean
            raise SystemExit(f"이업종: 엑셀 통합 문서에 연결하지 못했습니다 ({exc}). 통합 문서를 저장하고 다시 누르세요.") from exc
    app = book.app
    try:
        return resolve(tag)(book)
    except ButtonError as exc:
        text = f"{exc.problem}\n\n해결: {exc.fix}"
    except OutputError as exc:
        text = (f"파일을 쓰지 못했습니다: {exc}\n\n해결: 그 파일을 연 다른 창이나 프로그램을 닫고, 폴더에 쓸 권한이 "
                "있는지 확인한 뒤 다시 누르세요. 원래 파일은 그대로입니다.")
    except RuleBookError as exc:
        text = f"규칙집(validation/)에 문제가 있습니다: {exc}\n\n해결: iupjong-xl을 다시 설치하거나 담당자에게 알려 주세요."
    except IupjongError as exc:
        text = f"요청을 처리하지 못했습니다: {exc}\n\n해결: 통합 문서의 종류와 연도를 확인하고 다시 누르세요."
    except Exception as exc:
        text = (f"예상하지 못한 오류가 났습니다 ({type(exc).__name__}: {exc}).\n\n해결: 통합 문서를 저장하고 다시 "
                f"누르세요. 계속되면 이 기록 파일을 담당자에게 보내 주세요:\n{log_exception(tag)}")
    finally:
        quiet(lambda: setattr(app, "screen_updating", True))
    status(app, False)
    alert(app, text, critical=True)
    return None


def alert(app: Any, text: str, *, critical: bool = False, buttons: str = "ok") -> str | None:
    return app.alert(text, TITLE, buttons, "critical" if critical else "info")


def status(app: Any, text: str | bool) -> None:
    quiet(lambda: setattr(app, "status_bar", text))


def quiet(fn: Callable[[], Any]) -> None:
    with contextlib.suppress(Exception):  # a closed or busy Excel must not turn a message into a crash
        fn()


def log_exception(tag: str) -> Path | str:
    path = Path(tempfile.gettempdir()) / "iupjong-addin.log"
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')} {tag}\n{traceback.format_exc()}\n")
    except OSError:
        return "(기록 파일을 쓰지 못함)"
    return path
