"""Installing and removing the Excel add-in (xlwings' add-in and iupjong.xlam), and the help page it opens. The
build (excel/build.py) starts from the blank add-in that Excel itself made and pyOpenVBA ships (`ExcelFile.create_new`): its
package parts and VBA project (ThisWorkbook, Sheet1, Module1). pyOpenVBA writes the modules of addin/*.bas|cls into
that project (Module1 renamed to the .bas module); the build adds the ribbon (customUI/customUI14.xml and its
relationship) and our core properties, and zips every part stored, dated 1980-01-01, in a fixed order: the bytes
depend only on the sources and on pyOpenVBA's writer, not on the clock or the zlib version.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iupjong_xl.errors import UsageError
from iupjong_xl.excel.build import (  # noqa: F401 - the build's names, as the CLI and tests use them
    ADDIN_DIR,
    CORE,
    HELP_HEADING,
    REPO,
    RIBBON_PART,
    RIBBON_REL,
    TEMPLATE_STANDARD,
    VBA_ENTRY,
    XLAM,
    ZIP_TIME,
    BuildCheck,
    Runner,
    Source,
    _addin_dir,
    _template,
    _vba_project,
    build,
    build_bytes,
    check,
    crlf,
    differences,
    package_modules,
    parts,
    read_source,
    sources,
    xlam_path,
)


def _xlwings(*args: str) -> list[str]:
    return [sys.executable, "-m", "xlwings.cli", *args]


@dataclass(frozen=True)
class Installed:
    """What install did: the xlwings commands it ran, the repairs the checks made, and the checks at the end."""

    commands: list[list[str]]
    repaired: list[str]
    diagnosis: Any  # iupjong_xl.excel.doctor.Diagnosis


def install(xlam: str | Path | None = None, *, run: Runner = subprocess.run, places: Any = None) -> Installed:
    """Install the xlwings add-in (RunPython, interpreter config) and iupjong.xlam into Excel's XLSTART folder, then
    run the doctor's checks, repair what needs no Excel (a copy, the AppleScript, xlwings.conf) and check again."""
    from iupjong_xl.excel import doctor

    places = places or doctor.Places()
    if not (places.windows or places.mac):
        raise UsageError("엑셀 추가 기능은 Windows나 macOS에만 설치합니다 (이 컴퓨터는 빌드·시험용입니다).",
                         "Excel add-ins install on Windows or macOS only (this is a build/test machine)")
    path = xlam_path(xlam)
    commands = [_xlwings("addin", "install"), _xlwings("addin", "install", "--file", str(path))]
    for cmd in commands:
        done = run(cmd, check=False)
        if getattr(done, "returncode", 0) != 0:
            raise UsageError(f"{' '.join(cmd)} 실패 (종료 코드 {done.returncode}): Excel이 설치되어 있나요?",
                             f"{' '.join(cmd)} failed (exit {done.returncode}); is Excel installed?")
    first = doctor.diagnose(places, run=run, xlam=path)
    repaired = doctor.repair(first, places, xlam=path) if not first.ok else []
    final = doctor.diagnose(places, run=run, xlam=path) if repaired else first
    return Installed(commands, repaired, final)


def remove(*, run: Runner = subprocess.run, platform: str = sys.platform) -> list[list[str]]:
    """Remove iupjong.xlam from XLSTART (the xlwings add-in stays: other workbooks may use it)."""
    if not (platform.startswith("win") or platform == "darwin"):
        raise UsageError("엑셀 추가 기능은 Windows나 macOS에서만 제거합니다.", "Excel add-ins are removed on Windows or macOS only")
    cmd = _xlwings("addin", "remove", "--file", XLAM)
    run(cmd, check=False)
    return [cmd]


# ------------------------------------------------------------------------------------------------ help page


def readme_text() -> str:
    """The README: the checkout's file, else the installed package's long description (the same text)."""
    readme = REPO / "README.md"
    if readme.is_file():
        return readme.read_text(encoding="utf-8")
    try:
        from importlib.metadata import metadata

        return metadata("iupjong-xl").get_payload() or ""  # type: ignore[attr-defined]
    except Exception:
        return ""


def help_section(text: str | None = None) -> str:
    """The README section for users (## … 엑셀 리본 …); else addin/README.md; else the whole README."""
    text = readme_text() if text is None else text
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("## ") and HELP_HEADING in line), None)
    if start is not None:
        end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
        return "\n".join(lines[start:end]).strip() + "\n"
    own = ADDIN_DIR / "README.md"
    return own.read_text(encoding="utf-8") if own.is_file() else text


def help_page(path: Path | None = None, text: str | None = None) -> Path:
    """Write the users' section as a small HTML page (UTF-8) and return its path."""
    page = path or Path(tempfile.gettempdir()) / "iupjong-xl-help.html"
    body = markdown_html(help_section(text))
    page.write_text("<!doctype html><html lang=\"ko\"><head><meta charset=\"utf-8\"><title>이업종 도움말</title>"
                    "<style>body{font-family:'Malgun Gothic',sans-serif;max-width:60em;margin:2em auto;line-height:1.6}"
                    "pre,code{background:#f4f4f4}pre{padding:.6em;overflow:auto}</style></head><body>\n"
                    f"{body}</body></html>\n", encoding="utf-8")
    return page


def _inline(text: str) -> str:
    text = html.escape(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)


def markdown_html(md: str) -> str:
    """Just enough Markdown for the README section: headings, lists, code blocks, tables as text, paragraphs."""
    out: list[str] = []
    in_code, in_list = False, False
    for line in md.splitlines():
        if line.startswith("```"):
            out.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
            continue
        if in_code or line.startswith("|"):
            out.append(html.escape(line) if in_code else f"<pre>{html.escape(line)}</pre>")
            continue
        item = re.match(r"\s*(?:[-*]|\d+\.)\s+(.*)", line)
        if item and not in_list:
            out.append("<ul>")
            in_list = True
        elif not item and in_list:
            out.append("</ul>")
            in_list = False
        heading = re.match(r"(#{1,6})\s+(.*)", line)
        if heading:
            n = len(heading.group(1))
            out.append(f"<h{n}>{_inline(heading.group(2))}</h{n}>")
        elif item:
            out.append(f"<li>{_inline(item.group(1))}</li>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    if in_list:
        out.append("</ul>")
    if in_code:
        out.append("</pre>")
    return "\n".join(out) + "\n"
