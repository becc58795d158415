from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "iupjong_xl.portal.public"
    label = "public"
    verbose_name = "공개 화면"
