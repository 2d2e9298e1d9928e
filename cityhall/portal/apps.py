from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "cityhall.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from cityhall.portal import search

        search.register()
