from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "cityhall.decisions"
    label = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        from cityhall.decisions import sitesearch

        sitesearch.register()
