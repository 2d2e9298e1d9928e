from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "cityhall.portal"
    label = "portal"
    verbose_name = "Portal"
