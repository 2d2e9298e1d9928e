from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cityhall.documents"
    label = "documents"
    verbose_name = "Documents"
