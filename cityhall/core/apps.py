from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cityhall.core"
    label = "core"
    verbose_name = "Cityhall core"
