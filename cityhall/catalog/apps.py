from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "cityhall.catalog"
    label = "catalog"
    verbose_name = "Data catalog"

    def ready(self) -> None:
        from cityhall.catalog import sitesearch

        sitesearch.register()
