"""An API token of an account: the token itself is shown once, when it is made; the portal keeps only its SHA-256
(a token is 256 random bits, so a fast hash is enough: nothing to guess), a short prefix to tell tokens apart on
the token page, when it was made and last used, and when it was revoked."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Token(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)  # hex SHA-256 of the token
    prefix = models.CharField(max_length=16)  # the token's first characters, to recognise it on the token page
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 토큰"
        ordering = ("-created", "-id")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.get_username()})"
