from django.apps import AppConfig


class DatastoreConfig(AppConfig):
    name = "cityhall.datastore"
    label = "datastore"
    verbose_name = "DataStore"
