from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "cityhall.engagement"
    label = "engagement"
    verbose_name = "Civic engagement"
