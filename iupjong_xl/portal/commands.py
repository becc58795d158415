"""What `iupjong portal …` does: create a portal folder, add an account, serve the portal. The command line calls
these (and prints); nothing here prints or exits."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iupjong_xl import service
from iupjong_xl.errors import UsageError
from iupjong_xl.portal import folder as portal_folder

SETTINGS = "iupjong_xl.portal.settings"


def _django(path: Path) -> None:
    """Configure Django for this portal folder (once per process)."""
    try:
        import django
    except ImportError as exc:
        raise UsageError("포털에는 Django가 필요합니다: pip install \"iupjong-xl[portal]\" 로 설치하세요.",
                         "the portal needs Django: pip install \"iupjong-xl[portal]\"") from exc
    from django.conf import settings

    if settings.configured:
        if Path(settings.PORTAL_DIR).resolve() != path.resolve():
            raise UsageError("한 프로세스에서는 포털 폴더 하나만 쓸 수 있습니다.", "one portal folder per process")
        return
    os.environ[portal_folder.ENV] = str(path)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    django.setup()


@dataclass
class Initialized:
    path: Path
    ledger: Path
    accounts: Path
    created: list[str]


def init(path: str | os.PathLike[str], *, profile: str | None = None) -> Initialized:
    """Create a portal folder, or complete one (idempotent): the ledger (schema migrated forward), the accounts
    database (Django's migrations), a generated secret key, the settings file."""
    folder, made = portal_folder.create(path, profile)
    had_ledger, had_accounts = folder.ledger.exists(), folder.accounts.exists()
    service.init_ledger(folder.ledger)
    _django(folder.path)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    made += [n for n, had in ((portal_folder.LEDGER, had_ledger), (portal_folder.ACCOUNTS, had_accounts)) if not had]
    return Initialized(folder.path, folder.ledger, folder.accounts, made)


def add_user(path: str | os.PathLike[str], username: str, password: str, role: str, *, club: str | None = None,
             federation: str | None = None) -> Any:
    """One account with its role (club: its club code; federation: its federation)."""
    folder = _existing(path)
    _django(folder.path)
    from django.utils import translation

    from iupjong_xl.portal.accounts.manage import add_user as add

    with translation.override("ko"):
        return add(username, password, role, club=club, federation=federation)


def _existing(path: str | os.PathLike[str]) -> portal_folder.Folder:
    folder = portal_folder.Folder(Path(path).resolve())
    if not folder.config_file.exists() or not folder.accounts.exists():
        raise UsageError(f"{folder.path}은(는) 포털 폴더가 아닙니다. 먼저 iupjong portal init {path} 를 실행하세요.",
                         f"{folder.path} is not a portal folder; run iupjong portal init {path} first",
                         file=str(folder.path))
    return folder


def application(path: str | os.PathLike[str]) -> Any:
    """The portal's WSGI application for a portal folder."""
    folder = _existing(path)
    folder.config()  # a broken settings file is a usage error here, not a traceback in the server
    folder.secret_key()
    _django(folder.path)
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def serve(path: str | os.PathLike[str], *, host: str = "127.0.0.1", port: int = 8000,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve the portal with waitress (static files through whitenoise) until stopped. Bodies longer than the
    upload cap are refused by waitress too (a body without a declared length cannot slip past the cap)."""
    app = application(path)
    from django.conf import settings
    from waitress.server import create_server

    service.warm_up()  # the validation stack loaded once, before the first request (docs/portal-api.md)

    from iupjong_xl.portal.middleware import SLACK

    server = create_server(app, host=host, port=port, threads=4, ident="iupjong-portal",
                           max_request_body_size=settings.MAX_UPLOAD_BYTES + SLACK)
    if ready is not None:
        ready(f"http://{host}:{getattr(server, 'effective_port', port)}/")
    server.run()
