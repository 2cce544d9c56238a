from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "roundtable.panels"
    label = "panels"
