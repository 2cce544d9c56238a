from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "roundtable.support"
    label = "support"
    verbose_name = "Consent and support"
