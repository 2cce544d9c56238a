from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "roundtable.assessments"
    label = "assessments"
    verbose_name = "Vulnerability assessments"
