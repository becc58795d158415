"""A portal served as deployed (`iupjong portal serve` in its own process) and an HTTP client for it with only the
standard library: log in through the login form, make an API token on the token page, upload through the API."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from iupjong_xl.portal import folder as portal_folder

CLI = [sys.executable, "-m", "iupjong_xl"]


def env(**extra: str) -> dict[str, str]:
    """This environment without the test run's own portal settings (the served portal reads its own folder)."""
    out = {k: v for k, v in os.environ.items()
           if k not in (portal_folder.ENV, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return {**out, **extra}


def init(folder: Path, users: dict[str, str]) -> None:
    """`iupjong portal init` and one club account per user name (its club code), password pw-<user>-2009."""
    subprocess.run([*CLI, "portal", "init", str(folder)], check=True, env=env(), capture_output=True)
    for user, club in users.items():
        subprocess.run([*CLI, "portal", "user", "add", str(folder), user, "--role", "club", "--club", club,
                        "--password-stdin"], input=f"pw-{user}-2009\n", text=True, check=True, env=env(),
                       capture_output=True)


def start(folder: Path, **extra: str) -> tuple[subprocess.Popen[str], str]:
    """`iupjong portal serve FOLDER --port 0`: the process and its address once it listens."""
    proc = subprocess.Popen([*CLI, "portal", "serve", str(folder), "--port", "0"], env=env(**extra), text=True,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert proc.stderr is not None
    for line in proc.stderr:
        found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if found:
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep its log from filling the pipe
            return proc, found.group(1)
    proc.wait(timeout=10)
    raise AssertionError("the server did not start")


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "b-" + uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in
             fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A session through the pages (cookies, CSRF token), as a browser without JavaScript has it."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.url + path, timeout=60) as answer:
            return answer.status, answer.url, answer.read().decode("utf-8")

    def post(self, path: str, fields: dict[str, str], file: tuple[str, bytes] | None = None) -> tuple[int, str, str]:
        fields = {"csrfmiddlewaretoken": self.csrf(), **fields}
        if file is None:
            body, kind = urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"
        else:
            body, kind = multipart(fields, *file)
        request = urllib.request.Request(self.url + path, data=body, headers={"Content-Type": kind})
        with self.opener.open(request, timeout=120) as answer:
            return answer.status, answer.url, answer.read().decode("utf-8")

    def login(self, user: str) -> Browser:
        self.get("/login/")
        status, url, _page = self.post("/login/", {"username": user, "password": f"pw-{user}-2009"})
        assert status == 200 and not url.endswith("/login/"), url
        return self

    def token(self) -> str:
        _status, _url, page = self.post("/account/tokens/", {"name": "시험"})
        return page.split('id="token" class="mono" value="', 1)[1].split('"', 1)[0]


def api_upload(url: str, token: str, name: str, data: bytes, timeout: float = 120) -> tuple[int, dict[str, Any]]:
    body, kind = multipart({}, name, data)
    request = urllib.request.Request(url.rstrip("/") + "/api/v1/submissions", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())
