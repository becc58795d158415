from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The login form with the portal's Korean labels (아이디, 비밀번호)."""

    error_messages: ClassVar[dict[str, Any]] = {
        "invalid_login": "아이디나 비밀번호가 맞지 않습니다. 다시 입력하세요.",
        "inactive": "사용할 수 없는 계정입니다. 중앙회에 문의하세요.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "아이디"
        self.fields["password"].label = "비밀번호"


class UploadForm(forms.Form):
    file = forms.FileField(label="보고서 파일", error_messages={
        "required": "올릴 보고서 파일을 고르세요.", "empty": "빈 파일입니다. 보고서 파일을 고르세요.",
        "invalid": "파일을 받지 못했습니다. 다시 고르세요."})
