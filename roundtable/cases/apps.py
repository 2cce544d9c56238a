from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "roundtable.cases"
    label = "cases"
