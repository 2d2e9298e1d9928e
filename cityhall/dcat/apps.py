from django.apps import AppConfig


class DcatConfig(AppConfig):
    name = "cityhall.dcat"
    label = "dcat"
    verbose_name = "DCAT-AP and harvesting"
