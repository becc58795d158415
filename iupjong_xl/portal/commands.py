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
from iupjong_xl.portal.public import PUBLIC_INDEX_ENV

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


ACCOUNT_COLUMNS = ["아이디", "비밀번호", "역할", "교류회코드", "연합회", "교류회명"]
CENTER = "center"


@dataclass
class Accounts:
    output: Path
    created: int
    existing: list[str]


def accounts(path: str | os.PathLike[str], sources: list[str | os.PathLike[str]],
             output: str | os.PathLike[str]) -> Accounts:
    """One account per club of the federation rosters in sources, one per federation and one for the center, each
    with a random initial password that must be changed at the first login; the new accounts and their passwords
    are written to a CSV for handing out (UTF-8 with BOM for Excel, readable by the owner only). Accounts that exist
    already are kept as they are and left out of the CSV."""
    import csv
    import secrets

    folder = _existing(path)
    clubs = service.roster_clubs(sources)
    _django(folder.path)
    from django.db import transaction
    from django.utils import translation

    from iupjong_xl.portal.accounts.manage import add_user as add
    from iupjong_xl.portal.accounts.manage import exists

    wanted: list[tuple[str, str, str | None, str | None, str]] = [(CENTER, "center", None, None, "")]
    for fed in dict.fromkeys(c.federation for c in clubs):
        wanted.append((f"{fed}연합회", "federation", None, fed, ""))
    wanted += [(c.club_code, "club", c.club_code, c.federation, c.club_name) for c in clubs]
    rows: list[list[str]] = []
    existing: list[str] = []
    with translation.override("ko"), transaction.atomic():
        for username, role, club, federation, name in wanted:
            if exists(username):
                existing.append(username)
                continue
            password = secrets.token_urlsafe(9)  # 12 characters; changed at the first login
            add(username, password, role, club=club, federation=federation, must_change=True)
            rows.append([username, password, {"club": "교류회", "federation": "연합회", "center": "중앙회"}[role],
                         club or "", federation or "", name])
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(ACCOUNT_COLUMNS)
        writer.writerows(rows)
    return Accounts(out, len(rows), existing)


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
          ready: Callable[[str], None] | None = None, public_index: bool = False) -> None:
    """Serve the portal with waitress (static files through whitenoise) until stopped. Bodies longer than the
    upload cap are refused by waitress too (a body without a declared length cannot slip past the cap).
    public_index: robots.txt lets search engines index the public pages (else it disallows everything)."""
    os.environ[PUBLIC_INDEX_ENV] = "1" if public_index else "0"
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


def publish(path: str | os.PathLike[str]) -> Any:
    """The portal folder's published snapshot (DIR/published, what the public pages read): `iupjong publish` of the
    folder's ledger into it, through the service. The pages show the new snapshot at their next request."""
    folder = portal_folder.Folder(Path(path).resolve())
    if not folder.config_file.exists():
        raise _not_a_portal(path)
    return service.publish(folder.ledger, service.published_folder(folder.path))


def _not_a_portal(path: str | os.PathLike[str]) -> UsageError:
    where = Path(path).resolve()
    return UsageError(f"{where}은(는) 포털 폴더가 아닙니다. 먼저 iupjong portal init {path} 를 실행하세요.",
                      f"{where} is not a portal folder; run iupjong portal init {path} first", file=str(where))


DEMO_PASSWORD = "demo-2009"  # the demo's accounts, printed by `iupjong portal demo` (a demo folder is not production)


@dataclass
class Demo:
    path: Path
    reports: Path
    accounts: list[tuple[str, str, str]]  # (username, role, club or federation)
    uploads: int
    errors: int
    published: bool


def demo(path: str | os.PathLike[str], *, reports: str | os.PathLike[str] | None = None) -> Demo:
    """A portal folder to try the portal with: created like `init`, the sample corpus of 2009 (generated into
    DIR/sample_workbooks unless `reports` names a folder of reports) uploaded by its clubs' accounts, consolidated
    into the ledger's national view and published for the public pages. Accounts: `center`, one per federation
    (`<연합회>연합회`) and one per club (its club code), all with the password DEMO_PASSWORD."""
    done = init(path)
    root = done.path
    if reports is None:
        source = root / "sample_workbooks"
        if not (source / "2009").is_dir():
            service.sample(source)
        source = source / "2009"
    else:
        source = Path(reports)
    clubs = service.roster_clubs([source])
    _django(root)
    from django.db import transaction
    from django.utils import translation

    from iupjong_xl.portal.accounts.manage import add_user as add
    from iupjong_xl.portal.accounts.manage import exists

    made: list[tuple[str, str, str]] = [(CENTER, "center", "")]
    made += [(f"{fed}연합회", "federation", fed) for fed in dict.fromkeys(c.federation for c in clubs)]
    made += [(c.club_code, "club", c.club_code) for c in clubs]
    feds = {c.club_code: c.federation for c in clubs}
    with translation.override("ko"), transaction.atomic():
        for username, role, which in made:
            if not exists(username):
                add(username, DEMO_PASSWORD, role, club=which if role == "club" else None,
                    federation=which if role == "federation" else feds.get(which) if role == "club" else None)
    uploads = errors = 0
    for club in clubs:
        for report in sorted(source.rglob(f"*_{club.club_code}_*.xlsx")):
            sub = service.upload(done.ledger, report.read_bytes(), report.name,
                                 service.Scope(club.club_code, "club", club.club_code, club.federation))
            uploads += 1
            errors += sub.errors > 0
    service.consolidate([source], root / "national.xlsx", ledger=done.ledger)
    published = True
    try:
        publish(root)
    except UsageError:
        published = False  # nothing national to publish (a folder of reports without a full program)
    return Demo(root, source, made, uploads, errors, published)
