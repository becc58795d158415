from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

log = logging.getLogger("iupjong_xl.portal")
MAX_FAILURES, WINDOW, LOCK = 5, 15 * 60, 15 * 60  # 5 failures for one user name within 15 minutes lock it 15 minutes


def _key(kind: str, username: str) -> str:
    return f"login-{kind}:" + hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()


class LoginForm(AuthenticationForm):
    """The login form with the portal's Korean labels (아이디, 비밀번호), throttled per user name: after 5 failures
    within 15 minutes the name is locked for 15 minutes (the right password too is refused meanwhile)."""

    error_messages: ClassVar[dict[str, Any]] = {
        "invalid_login": "아이디나 비밀번호가 맞지 않습니다. 다시 입력하세요.",
        "inactive": "사용할 수 없는 계정입니다. 중앙회에 문의하세요.",
    }

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        if cache.get(_key("lock", username)):
            raise ValidationError("로그인에 5번 실패해 이 아이디는 15분 동안 잠겼습니다. 15분 뒤에 다시 로그인하세요.",
                                  code="locked")
        try:
            return super().clean()
        except ValidationError:
            now = time.time()
            failures = [t for t in cache.get(_key("fail", username), []) if now - t < WINDOW] + [now]
            cache.set(_key("fail", username), failures, WINDOW)
            if len(failures) >= MAX_FAILURES:
                cache.set(_key("lock", username), True, LOCK)
                cache.delete(_key("fail", username))
                log.warning("login: user name %r locked for 15 minutes after %d failures", username, MAX_FAILURES)
            raise

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "아이디"
        self.fields["password"].label = "비밀번호"


class UploadForm(forms.Form):
    file = forms.FileField(label="보고서 파일", error_messages={
        "required": "올릴 보고서 파일을 고르세요.", "empty": "빈 파일입니다. 보고서 파일을 고르세요.",
        "invalid": "파일을 받지 못했습니다. 다시 고르세요."})


class ChangePasswordForm(PasswordChangeForm):
    """Django's password change with the portal's Korean labels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "지금 비밀번호"
        self.fields["new_password1"].label = "새 비밀번호"
        self.fields["new_password2"].label = "새 비밀번호 확인"
        self.fields["new_password1"].help_text = "8자 이상. 흔한 비밀번호, 숫자만 된 비밀번호, 아이디와 비슷한 비밀번호는 쓸 수 없습니다."
