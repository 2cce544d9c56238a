import secrets
from base64 import b32encode

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from roundtable.accounts.models import Organisation, Role
from roundtable.accounts.services import do_create_user_with_device


class Command(BaseCommand):
    help = "Create an active user with an authenticator; prints the TOTP secret once."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Organisation id or exact name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="Full name")
        parser.add_argument("--password", help="Initial password (default: a random one, printed)")

    def handle(self, *args, organisation, role, email, name, password, **options):
        org = self._organisation(organisation)
        password = password or secrets.token_urlsafe(16)
        try:
            user, device = do_create_user_with_device(
                email=email, full_name=name, organisation=org, role=role, password=password
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        secret = b32encode(device.bin_key).decode()
        self.stdout.write(self.style.SUCCESS(f"Created {user.email} ({user.get_role_display()}, {org.name})."))
        self.stdout.write(f"Password: {password}")
        self.stdout.write(f"TOTP secret (add to an authenticator app; shown once): {secret}")
        self.stdout.write(f"otpauth URL: {device.config_url}")

    @staticmethod
    def _organisation(value: str) -> Organisation:
        matches = (
            Organisation.objects.filter(pk=int(value)) if value.isdigit() else Organisation.objects.filter(name=value)
        )
        if matches.count() != 1:
            raise CommandError(f"No single organisation matches {value!r}. Use its id or exact name.")
        return matches.get()
