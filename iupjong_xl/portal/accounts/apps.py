from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iupjong_xl.portal.accounts"
    label = "accounts"
    verbose_name = "계정"
