from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "roundtable.api"
    label = "api"
