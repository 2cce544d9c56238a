from django.apps import AppConfig


class FormbuilderConfig(AppConfig):
    name = "roundtable.formbuilder"
    label = "formbuilder"
    verbose_name = "Form builder"
