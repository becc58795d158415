"""Atomic file writes: write a temporary file beside the target, then rename it over the target."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from iupjong_xl.errors import OutputError


@contextmanager
def atomic_path(dest: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in dest's folder; on success it replaces dest, on failure dest is untouched."""
    target = Path(dest)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target}: 파일을 쓰지 못했습니다 ({exc}). 그 파일을 연 프로그램을 닫고 폴더 권한을 확인하세요.",
                          f"{target}: cannot write ({exc}); close programs that have it open and check the folder's permissions",
                          file=str(target)) from exc
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except OSError as exc:
        raise OutputError(f"{target}: 파일을 쓰지 못했습니다 ({exc}). 그 파일을 연 프로그램을 닫고 폴더 권한을 확인하세요.",
                          f"{target}: cannot write ({exc}); close programs that have it open and check the folder's permissions",
                          file=str(target)) from exc
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name the same file (also when either does not exist yet: compared resolved)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))
