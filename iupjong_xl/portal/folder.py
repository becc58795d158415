"""The portal folder: everything the portal keeps, in one folder that is backed up by copying it.

    DIR/iupjong.db          the ledger: files, versions, findings, submissions (the record)
    DIR/accounts.sqlite3    Django's own tables: accounts, sessions
    DIR/secret_key          a generated key (signs sessions and CSRF tokens); never leaves the folder
    DIR/portal.json         settings: profile (lan | https), allowed hosts, upload cap
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iupjong_xl.errors import UsageError

ENV = "IUPJONG_PORTAL_DIR"
LEDGER, ACCOUNTS, SECRET, CONFIG = "iupjong.db", "accounts.sqlite3", "secret_key", "portal.json"
PROFILES = ("lan", "https")
MAX_UPLOAD_MB = 20


@dataclass
class Config:
    profile: str = "lan"
    allowed_hosts: list[str] = field(default_factory=lambda: ["127.0.0.1", "localhost", "[::1]"])
    max_upload_mb: int = MAX_UPLOAD_MB

    def to_dict(self) -> dict[str, Any]:
        return {"profile": self.profile, "allowed_hosts": self.allowed_hosts, "max_upload_mb": self.max_upload_mb}


@dataclass(frozen=True)
class Folder:
    path: Path

    @property
    def ledger(self) -> Path:
        return self.path / LEDGER

    @property
    def accounts(self) -> Path:
        return self.path / ACCOUNTS

    @property
    def secret_file(self) -> Path:
        return self.path / SECRET

    @property
    def config_file(self) -> Path:
        return self.path / CONFIG

    def secret_key(self) -> str:
        try:
            key = self.secret_file.read_text(encoding="ascii").strip()
        except OSError as exc:
            raise _not_a_portal(self.path) from exc
        if len(key) < 50:
            raise UsageError(f"포털 폴더 {self.path}의 {SECRET} 파일이 손상되었습니다. 그 파일을 지우고 iupjong portal init을 "
                             "다시 실행하세요 (로그인한 사람은 다시 로그인해야 합니다).",
                             f"the {SECRET} of the portal folder {self.path} is damaged; delete it and run "
                             "iupjong portal init again (everyone logged in must log in again)", file=str(self.path))
        return key

    def config(self) -> Config:
        try:
            raw = json.loads(self.config_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise _not_a_portal(self.path) from exc
        except ValueError as exc:
            raise UsageError(f"포털 설정 {self.config_file}을(를) 읽지 못했습니다 (JSON 오류: {exc}).",
                             f"cannot read the portal settings {self.config_file} (JSON: {exc})",
                             file=str(self.config_file)) from exc
        cfg = Config(**{k: raw[k] for k in ("profile", "allowed_hosts", "max_upload_mb") if k in raw})
        if cfg.profile not in PROFILES:
            raise UsageError(f"포털 설정의 profile '{cfg.profile}'은(는) lan 또는 https여야 합니다.",
                             f"the portal's profile '{cfg.profile}' must be lan or https", file=str(self.config_file))
        return cfg


def _not_a_portal(path: Path) -> UsageError:
    return UsageError(f"{path}은(는) 포털 폴더가 아닙니다. 먼저 iupjong portal init {path} 를 실행하세요.",
                      f"{path} is not a portal folder; run iupjong portal init {path} first", file=str(path))


def current() -> Folder:
    """The portal folder the running server (or test) uses: IUPJONG_PORTAL_DIR."""
    value = os.environ.get(ENV)
    if not value:
        raise UsageError(f"포털 폴더가 정해지지 않았습니다 ({ENV}).", f"no portal folder given ({ENV})")
    return Folder(Path(value))


def create(path: str | os.PathLike[str], profile: str | None = None) -> tuple[Folder, list[str]]:
    """Create what is missing of a portal folder (idempotent: what exists is kept); returns what was created."""
    folder = Folder(Path(path).resolve())
    made: list[str] = []
    if folder.path.exists() and not folder.path.is_dir():
        raise UsageError(f"{folder.path}은(는) 폴더가 아닙니다.", f"{folder.path} is not a folder", file=str(folder.path))
    folder.path.mkdir(parents=True, exist_ok=True)
    if not folder.secret_file.exists():
        fd = os.open(folder.secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_urlsafe(64) + "\n")
        made.append(SECRET)
    if not folder.config_file.exists():
        folder.config_file.write_text(json.dumps(Config(profile or "lan").to_dict(), ensure_ascii=False, indent=2)
                                      + "\n", encoding="utf-8")
        made.append(CONFIG)
    elif profile is not None:
        cfg = folder.config()
        if cfg.profile != profile:
            cfg.profile = profile
            folder.config_file.write_text(json.dumps(cfg.to_dict(), ensure_ascii=False, indent=2) + "\n",
                                          encoding="utf-8")
            made.append(f"{CONFIG} (profile {profile})")
    return folder, made
