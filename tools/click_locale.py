"""Compile the Korean catalogue of click's own messages, and list what click marks for translation.

    python tools/click_locale.py            # iupjong-click.po -> iupjong-click.mo (pure Python, no msgfmt needed)
    python tools/click_locale.py --missing  # click's messages (installed click) with no Korean text in the .po

The .po is the source (edit it, then compile); the .mo ships as package data (pyproject.toml) and is what gettext
reads. tests/test_language.py checks both: every message of the installed click is translated, and the .mo is
the .po compiled.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "iupjong_xl" / "cli" / "locale" / "ko" / "LC_MESSAGES" / "iupjong-click.po"
MO = PO.with_suffix(".mo")


def parse_po(path: Path = PO) -> dict[str, str]:
    """The catalogue of a .po file as gettext keys it: msgid -> msgstr; a plural entry as "singular\\0plural" ->
    its forms joined by "\\0"; the header under ""."""
    entries: list[dict[str, list[str]]] = []
    current: dict[str, list[str]] = {}
    field = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            current[field][-1] += ast.literal_eval(line)
            continue
        key, _, value = line.partition(" ")
        if key == "msgid" and "msgid" in current:
            entries.append(current)
            current = {}
        field = "msgstr" if key.startswith("msgstr") else key
        current.setdefault(field, []).append(ast.literal_eval(value))
    if current:
        entries.append(current)
    out: dict[str, str] = {}
    for e in entries:
        msgid = e["msgid"][0] + ("\0" + e["msgid_plural"][0] if "msgid_plural" in e else "")
        out[msgid] = "\0".join(e["msgstr"])
    return out


def write_mo(catalog: dict[str, str], path: Path = MO) -> None:
    """Write a GNU .mo file (little endian, no hash table) holding `catalog`."""
    keys = sorted(catalog)
    ids = [k.encode("utf-8") for k in keys]
    strs = [catalog[k].encode("utf-8") for k in keys]
    n = len(keys)
    key_start = 7 * 4 + 16 * n
    offsets: list[int] = []
    blob_ids, blob_strs = b"", b""
    for i in ids:
        offsets += [len(i), key_start + len(blob_ids)]
        blob_ids += i + b"\0"
    value_start = key_start + len(blob_ids)
    for s in strs:
        offsets += [len(s), value_start + len(blob_strs)]
        blob_strs += s + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    table = struct.pack(f"<{2 * n}I", *offsets[: 2 * n]) + struct.pack(f"<{2 * n}I", *offsets[2 * n:])
    path.write_bytes(header + table + blob_ids + blob_strs)


def click_messages() -> list[str]:
    """Every message the installed click passes to gettext (`_("...")`, `ngettext("...", "...", n)`), keyed as in
    parse_po."""
    import click

    found: list[str] = []
    for source in sorted(Path(click.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            literal = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id == "_" and len(node.args) == 1 and len(literal) == 1:
                key = literal[0]
            elif node.func.id == "ngettext" and len(literal) >= 2:
                key = literal[0] + "\0" + literal[1]
            else:
                continue
            if key not in found:
                found.append(key)
    return found


if __name__ == "__main__":
    if sys.argv[1:] == ["--missing"]:
        catalog = parse_po()
        missing = [m for m in click_messages() if not catalog.get(m)]
        print("\n".join(repr(m) for m in missing) or "every click message has Korean text")
        sys.exit(1 if missing else 0)
    write_mo(parse_po())
    print(MO)
