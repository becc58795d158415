"""/submissions/: the submissions an account may see: a club its own, a federation its clubs', the center all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iupjong_xl import service
from tests.portal.helpers import PROBLEMS

pytestmark = pytest.mark.django_db


def test_each_role_sees_its_own(client: Any, make_user: Any, ledger: Path) -> None:
    seoul = (PROBLEMS.parent / "2009" / "서울" / "서울_SEO-002_2009.xlsx").read_bytes()
    busan = (PROBLEMS.parent / "2009" / "부산" / "부산_BUS-003_2009.xlsx").read_bytes()
    a = service.upload(ledger, seoul, "서울_SEO-002_2009.xlsx", service.Scope("seo002", "club", "SEO-002"))
    b = service.upload(ledger, busan, "부산_BUS-003_2009.xlsx", service.Scope("bus003", "club", "BUS-003"))
    assert (a.federation, b.federation) == ("서울", "부산")

    def listed(username: str, **kw: Any) -> set[int]:
        client.force_login(make_user(username, **kw))
        page = client.get("/submissions/").content.decode()
        return {i for i in (a.id, b.id) if f'<a href="/submissions/{i}/">' in page}

    assert listed("seo002", club="SEO-002") == {a.id}
    assert listed("bus003", club="BUS-003") == {b.id}
    assert listed("seoul", role="federation", federation="서울") == {a.id}
    assert listed("busan", role="federation", federation="부산") == {b.id}
    assert listed("center", role="center") == {a.id, b.id}
