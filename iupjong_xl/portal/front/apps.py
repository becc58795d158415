from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "iupjong_xl.portal.front"
    label = "front"
    verbose_name = "화면"
