from django.apps import AppConfig


class CaseSummaryConfig(AppConfig):
    name = "roundtable.casesummary"
    label = "casesummary"
    verbose_name = "Case summary (PDF)"
