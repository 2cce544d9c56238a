from django.apps import AppConfig


class DatagenConfig(AppConfig):
    name = "roundtable.datagen"
    label = "datagen"
    verbose_name = "Scale data generator"
