from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "cityhall.servicerequests"
    label = "servicerequests"
    verbose_name = "Service requests"

    def ready(self) -> None:
        from cityhall.servicerequests import search, signals

        search.register()
        signals.connect()
