from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cityhall.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from cityhall.accounts import handlers

        handlers.connect()
