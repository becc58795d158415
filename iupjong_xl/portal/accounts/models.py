"""An account's role in the yearly round: a club secretary (one club code), federation staff (one federation) or
the center (everything). Django's User holds the login (username, hashed password); the profile holds the role."""

from __future__ import annotations

from django.conf import settings
from django.db import models

ROLES = (("club", "교류회"), ("federation", "연합회"), ("center", "중앙회"))


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=16, choices=ROLES)
    club_code = models.CharField(max_length=32, blank=True, default="")
    federation = models.CharField(max_length=64, blank=True, default="")
    must_change_password = models.BooleanField(default=False)  # set for accounts handed out with a random password

    class Meta:
        verbose_name = "계정 역할"

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"
