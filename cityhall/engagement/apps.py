from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "cityhall.engagement"
    label = "engagement"
    verbose_name = "Civic engagement"

    def ready(self) -> None:
        from cityhall.engagement import sitesearch

        sitesearch.register()
