from django.urls import path, re_path

from iupjong_xl.portal.api import views

urlpatterns = [
    path("account/tokens/", views.token_page, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke, name="api_token_revoke"),
    re_path(r"^api/v1/submissions/?$", views.submissions, name="api_submissions"),  # with or without the slash
    re_path(r"^api/v1/submissions/(?P<sid>[0-9]{1,18})/?$", views.submission, name="api_submission"),
    re_path(r"^api/(?P<rest>.*)$", views.unknown),
]
