"""Accounts as the commands create them (iupjong portal user add)."""

from __future__ import annotations

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from iupjong_xl.errors import UsageError
from iupjong_xl.portal.accounts.models import Profile


def add_user(username: str, password: str, role: str, *, club: str | None = None,
             federation: str | None = None, must_change: bool = False) -> Profile:
    """One account with its role; a club account names its club code, a federation account its federation."""
    if role == "club" and not club:
        raise UsageError("교류회 계정에는 교류회코드가 필요합니다 (--club).", "a club account needs its club code (--club)")
    if role == "federation" and not federation:
        raise UsageError("연합회 계정에는 연합회 이름이 필요합니다 (--federation).",
                         "a federation account needs its federation (--federation)")
    User = get_user_model()
    if not username or len(username) > 150 or User.objects.filter(username=username).exists():
        raise UsageError(f"아이디 '{username}'은(는) 쓸 수 없습니다 (비었거나 이미 있습니다).",
                         f"the user name '{username}' cannot be used (empty or taken)")
    user = User(username=username)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        text = " ".join(exc.messages)
        raise UsageError(f"비밀번호를 쓸 수 없습니다: {text}", f"the password cannot be used: {text}") from exc
    with transaction.atomic():
        user.set_password(password)
        user.save()
        return Profile.objects.create(user=user, role=role, club_code=club or "", federation=federation or "",
                                      must_change_password=must_change)


def exists(username: str) -> bool:
    return bool(get_user_model().objects.filter(username=username).exists())
