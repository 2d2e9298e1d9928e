from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "cityhall.alerts"
    label = "alerts"
    verbose_name = "Alerts and emergencies"

    def ready(self) -> None:
        from cityhall.alerts import handlers

        handlers.connect()
