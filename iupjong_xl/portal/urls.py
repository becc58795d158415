"""The URL map of the portal (docs/portal.md lists it)."""

from django.urls import include, path

urlpatterns = [
    path("", include("iupjong_xl.portal.accounts.urls")),
    path("", include("iupjong_xl.portal.front.urls")),
    path("", include("iupjong_xl.portal.public.urls")),
    path("", include("iupjong_xl.portal.api.urls")),
]
