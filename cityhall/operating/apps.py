from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperatingConfig(AppConfig):
    name = "cityhall.operating"
    label = "operating"
    verbose_name = _("Smart city operating model (ISO 37106)")
    default_auto_field = "django.db.models.BigAutoField"
