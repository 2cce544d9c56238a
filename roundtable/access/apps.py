from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "roundtable.access"
    label = "access"

    def ready(self):
        from roundtable.access import rules  # noqa: F401  (registers the rules and scopes)
