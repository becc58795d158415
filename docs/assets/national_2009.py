"""Render docs/assets/national_2009.png, the picture of the manual's consolidate page (docs/commands/consolidate.md):
the national workbook's 요약 and 연합회별 지표 sheets as LibreOffice prints them (soffice → PDF → pdftoppm), cropped
and stacked. Run from the repository root:

    iupjong consolidate sample_workbooks/2009 -o /tmp/national_2009.xlsx -q
    python docs/assets/national_2009.py /tmp/national_2009.xlsx

(mkdocs.yml leaves this script out of the site: exclude_docs.)
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path


def ppm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    parts = data.split(maxsplit=4)  # P6 width height maxval pixels
    assert parts[0] == b"P6" and parts[3] == b"255"
    return int(parts[1]), int(parts[2]), parts[4]


def crop(img: tuple[int, int, bytes], height: float, width: float = 1.0) -> tuple[int, int, list[bytes]]:
    """The top-left part of an image (fractions of its height and width) as rows."""
    w, h, px = img
    cw, ch = int(w * width), int(h * height)
    return cw, ch, [px[r * w * 3:(r * w + cw) * 3] for r in range(ch)]


def png(rows: list[bytes], width: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main(workbook: str, out: str = "docs/assets/national_2009.png") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation={(t / 'lo').as_uri()}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(t), workbook], check=True,
                       capture_output=True, timeout=300)
        pdf = next(t.glob("*.pdf"))
        subprocess.run(["pdftoppm", "-f", "1", "-l", "2", "-r", "80", str(pdf), str(t / "p")], check=True, timeout=120)
        first, second = sorted(t.glob("p-*.ppm"))
        summary = crop(ppm(first), 0.42, 0.98)  # 요약 (portrait): the table and the funding lines
        indicators = crop(ppm(second), 0.50)  # 연합회별 지표 (landscape): the table and the chart
        width = max(summary[0], indicators[0])
        white = b"\xff" * 3
        rows = [r + white * (width - summary[0]) for r in summary[2]]
        rows += [b"\x80\x80\x80" * width] * 2
        rows += [r + white * (width - indicators[0]) for r in indicators[2]]
        Path(out).write_bytes(png(rows, width))


if __name__ == "__main__":
    main(*sys.argv[1:])
