"""One voice in two languages: the message catalogue (messages.py), click's own messages in Korean by default
(English with --lang en or IUPJONG_LANG=en), --lang on every command, help from the catalogue."""

from __future__ import annotations

import gettext
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from iupjong_xl.cli import cli
from iupjong_xl.cli.commands import LOCALE_DIR, click_language, early_lang, help_key
from iupjong_xl.messages import CATALOGUE, MessageArgumentError, pair, placeholders, text

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("click_locale", REPO / "tools" / "click_locale.py")
assert _spec is not None and _spec.loader is not None
click_locale = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(click_locale)


def iupjong(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a person runs it (a fresh process: nothing of pytest's state)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("IUPJONG_LANG", "LANGUAGE")} | env
    exe = Path(sys.executable).with_name("iupjong")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env=environ, stdin=subprocess.DEVNULL)


def invoke(*args: str, **env: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), env={"IUPJONG_LANG": None, **env},  # type: ignore[dict-item]
                              prog_name="iupjong")


# ------------------------------------------------------------------------------------------------ the catalogue


def test_every_entry_declares_exactly_what_both_languages_use() -> None:
    wrong = {key: (sorted(placeholders(m.ko)), sorted(placeholders(m.en)), sorted(m.args))
             for key, m in CATALOGUE.items() if not placeholders(m.ko) == placeholders(m.en) == m.args}
    assert wrong == {}


def test_every_entry_renders_with_its_declared_arguments_and_no_brace_is_left() -> None:
    for key, m in CATALOGUE.items():
        for lang in ("ko", "en"):
            shown = text(key, lang, **{a: f"<{a}>" for a in m.args})
            assert shown.strip(), key
            assert "{" not in shown and "}" not in shown, (key, lang, shown)


def test_an_argument_missing_or_undeclared_is_a_program_bug() -> None:
    assert text("xlsx.links_note", "en", where="/srv/in") == (
        "Links are relative to this file's folder (/srv/in): move this file together with the reports it links to.")
    with pytest.raises(MessageArgumentError, match=r"xlsx.links_note: missing arguments \['where'\]"):
        text("xlsx.links_note", "ko")
    with pytest.raises(MessageArgumentError, match=r"undeclared arguments \['folder'\]"):
        text("findings_xlsx.none", "ko", folder="x")


def test_korean_unless_english_and_pairs_for_typed_errors() -> None:
    assert text("severity.error", "ko") == "오류"
    assert text("severity.error", "en") == "error"
    assert text("severity.error", "fr") == "오류"
    assert pair("cli.progress_file", name="a.xlsx") == ("검증 중 a.xlsx", "validating a.xlsx")


def test_no_flag_name_in_library_text() -> None:
    """Library code never names a CLI flag: only `cli.` entries may say --something."""
    leaks = {key for key, m in CATALOGUE.items() if not key.startswith("cli.") and ("--" in m.ko or "--" in m.en)}
    assert leaks == set()
    outputs = REPO / "iupjong_xl" / "outputs"
    assert [p.name for p in outputs.rglob("*.py") if "--annotate" in p.read_text(encoding="utf-8")] == []


# --------------------------------------------------------------------------- click's own messages: the catalogue


def test_every_message_click_marks_has_korean_text() -> None:
    po = click_locale.parse_po()
    assert [m for m in click_locale.click_messages() if not po.get(m)] == []


def test_the_shipped_mo_is_the_po_compiled() -> None:
    mo = LOCALE_DIR / "ko" / "LC_MESSAGES" / "iupjong-click.mo"
    with mo.open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    po = click_locale.parse_po()
    assert shipped.gettext("Usage:") == po["Usage:"] == "사용법:"
    for key, value in po.items():
        if not key:
            continue
        if "\0" in key:
            singular, plural = key.split("\0")
            assert shipped.ngettext(singular, plural, 2) == value, key
        else:
            assert shipped.gettext(key) == value, key


def test_the_language_is_read_before_click_parses() -> None:
    assert early_lang([], {}) == "ko"
    assert early_lang(["validate", "--lang", "en", "x"], {}) == "en"
    assert early_lang(["--lang=en", "validate"], {}) == "en"
    assert early_lang(["validate"], {"IUPJONG_LANG": "en"}) == "en"
    assert early_lang(["--lang", "en", "validate", "--lang", "ko"], {"IUPJONG_LANG": "en"}) == "ko"  # last wins
    assert early_lang(["validate", "--", "--lang", "en"], {}) == "ko"  # after --: a file name
    assert early_lang(["validate", "--lang", "fr"], {}) == "ko"


def test_the_gettext_state_is_restored_after_a_run() -> None:
    domain, language = gettext.textdomain(), os.environ.get("LANGUAGE")
    with click_language("ko"):
        assert gettext.gettext("Missing argument") == "빠진 인자:"
    assert gettext.textdomain() == domain
    assert os.environ.get("LANGUAGE") == language
    assert gettext.gettext("Missing argument") == "Missing argument"


# ------------------------------------------------------------------------------- the command line, for real


def test_unknown_option_is_a_korean_usage_error() -> None:
    proc = iupjong("validate", "--nope")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == ("사용법: iupjong validate [OPTIONS] PATHS...\n"
                           "도움말은 'iupjong validate --help' 명령으로 볼 수 있습니다.\n\n"
                           "오류: '--nope' 옵션은 없습니다. (혹시 '--annotate'을(를) 쓰려던 것인가요?)\n")


@pytest.mark.parametrize("how", ["--lang", "IUPJONG_LANG"])
def test_unknown_option_in_english(how: str) -> None:
    proc = iupjong("validate", "--nope", "--lang", "en") if how == "--lang" else iupjong("validate", "--nope",
                                                                                        IUPJONG_LANG="en")
    assert proc.returncode == 2
    assert proc.stderr == ("Usage: iupjong validate [OPTIONS] PATHS...\n"
                           "Try 'iupjong validate --help' for help.\n\n"
                           "Error: No such option '--nope'. Did you mean '--annotate'?\n")


def test_missing_argument_in_korean_and_english() -> None:
    proc = iupjong("validate")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == "오류: 빠진 인자: 'PATHS...'."
    proc = iupjong("--lang", "en", "validate")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == "Error: Missing argument 'PATHS...'."


def test_group_help_in_korean_and_english() -> None:
    ko = iupjong("--help")
    assert ko.returncode == 0
    lines = ko.stdout.splitlines()
    assert lines[0] == "사용법: iupjong [OPTIONS] COMMAND [ARGS]..."
    assert "옵션:" in lines and "명령:" in lines
    assert "  -h, --help      이 도움말을 보여 주고 끝냅니다." in lines
    assert any(line.startswith("  --version       버전을 보여 주고 끝냅니다.") for line in lines)
    assert "  validate     보고서 통합 문서를 검증합니다 (파일 또는 폴더, 하위 폴더 포함)." in lines
    for en in (iupjong("--help", IUPJONG_LANG="en"), iupjong("--lang", "en", "--help")):
        assert en.returncode == 0
        lines = en.stdout.splitlines()
        assert lines[0] == "Usage: iupjong [OPTIONS] COMMAND [ARGS]..."
        assert "Options:" in lines and "Commands:" in lines
        assert "  -h, --help      Show this message and exit." in lines
        assert "  validate     Validate report workbooks (files or folders, recursive)." in lines


def test_choice_and_number_errors_in_korean() -> None:
    result = invoke("template", "--kind", "x", "-o", "t.xlsx")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("오류: '--kind'의 값이 올바르지 않습니다: 'x'은(는) 고를 수 있는 값이 "
                                             "아닙니다 ('club', 'federation' 중에서 고르세요).")
    result = invoke("codes", "--year", "abc")
    assert result.stderr.splitlines()[-1] == "오류: '--year'의 값이 올바르지 않습니다: 'abc'은(는) 올바른 integer 값이 아닙니다."
    result = invoke("codes", "--year", "abc", "--lang", "en")
    assert result.stderr.splitlines()[-1] == "Error: Invalid value for '--year': 'abc' is not a valid integer."


def test_a_path_that_does_not_exist_in_korean(tmp_path: Path) -> None:
    result = invoke("verify", str(tmp_path / "none.xlsx"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (f"오류: 'WORKBOOK'의 값이 올바르지 않습니다: 파일 "
                                             f"'{tmp_path / 'none.xlsx'}'이(가) 없습니다.")


def test_the_cli_own_usage_errors_follow_the_language(tmp_path: Path) -> None:
    result = invoke("validate", "x.xlsx", "--format", "xlsx")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "오류: --format xlsx에는 -o FILE이 필요합니다"
    result = invoke("validate", "x.xlsx", "--format", "xlsx", "--lang", "en")
    assert result.stderr.splitlines()[-1] == "Error: --format xlsx needs -o FILE"


# ------------------------------------------------------------------------------------ --lang on every command


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def test_every_command_takes_lang_and_every_option_has_help_in_both_languages() -> None:
    missing_lang, missing_help = [], []
    for path, command in _commands(cli):
        if "lang" not in {p.name for p in command.params}:
            missing_lang.append(" ".join(path))
        for key in [help_key(path)] + [help_key(path, p.name) for p in command.params
                                       if isinstance(p, click.Option) and p.name]:
            if key not in CATALOGUE:
                missing_help.append(key)
    assert missing_lang == []
    assert missing_help == []
    assert len(list(_commands(cli))) == 23


@pytest.mark.parametrize("path", [("directory",), ("partners",), ("trends",), ("template",), ("addin", "doctor"),
                                  ("portal", "serve")])
def test_command_help_in_korean_and_english(path: tuple[str, ...]) -> None:
    ko = invoke(*path, "--help")
    assert ko.exit_code == 0, ko.output
    assert ko.stdout.startswith(f"사용법: iupjong {' '.join(path)} [OPTIONS]")
    assert text(help_key(path), "ko").split("\n")[0][:20] in ko.stdout
    assert "  --lang [ko|en]" in ko.stdout
    en = invoke(*path, "--help", "--lang", "en")
    assert en.stdout.startswith(f"Usage: iupjong {' '.join(path)} [OPTIONS]")
    assert text(help_key(path), "en").split("\n")[0][:20] in en.stdout


def test_the_subcommand_language_defaults_to_the_group_and_the_environment() -> None:
    seen: dict[str, str] = {}

    from iupjong_xl.cli import commands

    @cli.command("_lang_probe", hidden=True)
    @commands._lang_option
    def probe2(lang: str) -> None:
        seen["lang"] = lang

    try:
        for args, env, expected in ((["_lang_probe"], {}, "ko"), (["--lang", "en", "_lang_probe"], {}, "en"),
                                    (["_lang_probe"], {"IUPJONG_LANG": "en"}, "en"),
                                    (["--lang", "en", "_lang_probe", "--lang", "ko"], {}, "ko")):
            result = invoke(*args, **env)
            assert result.exit_code == 0, result.output
            assert seen.pop("lang") == expected, (args, env)
    finally:
        cli.commands.pop("_lang_probe")


def test_the_catalogue_of_click_messages_is_package_data() -> None:
    import fnmatch
    import tomllib

    conf = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    globs = conf["package-data"]["iupjong_xl.cli"]
    files = sorted(p.relative_to(LOCALE_DIR.parent).as_posix() for p in LOCALE_DIR.rglob("*") if p.is_file())
    assert files == ["locale/ko/LC_MESSAGES/iupjong-click.mo", "locale/ko/LC_MESSAGES/iupjong-click.po"]
    assert [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []


def test_trends_without_workbooks_says_so_in_the_language() -> None:
    result = invoke("trends", "-o", "t.xlsx")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "오류: 두 해 이상의 취합 통합 문서를 주거나 --ledger iupjong.db를 주세요"
    result = invoke("trends", "-o", "t.xlsx", "--lang", "en")
    assert result.stderr.splitlines()[-1] == ("Error: name the consolidated workbooks of two or more years, or "
                                             "--ledger iupjong.db")


@pytest.mark.parametrize(("lang", "label"), [("ko", "검증 중 "), ("en", "validating ")])
def test_the_progress_label_follows_the_language(lang: str, label: str) -> None:
    """On a terminal (a real pseudo-terminal) validate shows a progress bar; its label is in the run's language."""
    import pty

    sample = sorted((REPO / "sample_workbooks" / "2009").rglob("*.xlsx"))[0]
    leader, follower = pty.openpty()
    exe = Path(sys.executable).with_name("iupjong")
    environ = {k: v for k, v in os.environ.items() if k not in ("IUPJONG_LANG", "LANGUAGE")} | {"COLUMNS": "120"}
    proc = subprocess.run([str(exe), "validate", "--format", "json", str(sample), "--lang", lang], stdout=subprocess.PIPE,
                          stderr=follower, stdin=subprocess.DEVNULL, timeout=120, env=environ)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode in (0, 1)
    assert f"{label}{sample.name}".encode() in shown
