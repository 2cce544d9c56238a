from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "roundtable.accounts"
    label = "accounts"

    def ready(self):
        from roundtable.accounts import signals  # noqa: F401  (sign-in and sign-out are audited)
