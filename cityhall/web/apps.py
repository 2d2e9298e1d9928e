from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cityhall.web"
    label = "web"
    verbose_name = "Web shell"
