from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "iupjong_xl.portal.api"
    label = "portal_api"
    verbose_name = "API"
