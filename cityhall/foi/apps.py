from django.apps import AppConfig


class FoiConfig(AppConfig):
    name = "cityhall.foi"
    label = "foi"
    verbose_name = "Freedom of information"
