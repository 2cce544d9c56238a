"""Load the fictional Northshire demo. Safe to run again: it only adds what is missing."""

import hashlib
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from roundtable.accounts.models import Area, Organisation, Role, Sector, User
from roundtable.audit.services import record

DEMO_PASSWORD = "northshire-demo-2026"
# Each app adds its own fictional records, in this order. Each loader must be idempotent
# and receives {"area", "organisations" (by name), "users" (by e-mail local part)},
# to which it may add what later loaders need (for example "people", "cases").
DEMO_LOADERS = [
    "roundtable.people.demo.load",
    "roundtable.cases.demo.load",
    "roundtable.tasks.demo.load",
    "roundtable.documents.demo.load",
    "roundtable.formbuilder.demo.load",
    "roundtable.inforequests.demo.load",
    "roundtable.assessments.demo.load",
    "roundtable.support.demo.load",
    "roundtable.panels.demo.load",
    "roundtable.channel.demo.load",
    "roundtable.meetings.demo.load",
]
DEMO_DOMAIN = "demo.roundtable.invalid"

ORGANISATIONS = [
    ("Northshire Police", Sector.POLICE),
    ("Northshire County Council", Sector.LOCAL_AUTHORITY),
    ("Eastbrook Borough Council", Sector.LOCAL_AUTHORITY),
    ("Millford Academy", Sector.EDUCATION),
    ("Northshire Pupil Referral Service", Sector.EDUCATION),
    ("Northshire Health and Care Trust", Sector.HEALTH),
    ("Northshire Probation Service", Sector.PROBATION),
    ("Northshire Youth Justice Service", Sector.YOUTH_JUSTICE),
    ("Riverside Homes", Sector.HOUSING),
    ("Harbour Lights Mentoring", Sector.VOLUNTARY),
]

# (e-mail local part, full name, role, organisation)
USERS = [
    ("sysadmin", "Sam Systems", Role.SYSTEM_ADMIN, "Northshire County Council"),
    ("orgadmin", "Olive Admin", Role.ORG_ADMIN, "Northshire County Council"),
    ("chair", "Charlie Chair", Role.PANEL_CHAIR, "Northshire County Council"),
    ("paneladmin", "Pat Panel", Role.PANEL_ADMIN, "Northshire County Council"),
    ("practitioner", "Priya Practitioner", Role.PRACTITIONER, "Northshire Health and Care Trust"),
    ("police", "Dev Constable", Role.PRACTITIONER, "Northshire Police"),
    ("teacher", "Tess Teacher", Role.PRACTITIONER, "Millford Academy"),
    ("auditor", "Aud Itor", Role.AUDITOR, "Northshire County Council"),
    ("policeadmin", "Polly Admin", Role.ORG_ADMIN, "Northshire Police"),
]


def demo_key(email: str) -> str:
    """A fixed TOTP key per demo user so codes keep working across reloads. Demo only."""
    return hashlib.sha256(f"roundtable-demo-totp:{email}".encode()).hexdigest()[:40]


class Command(BaseCommand):
    help = "Load the fictional Northshire demo area, organisations and one user per role."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        with transaction.atomic():
            area, _ = Area.objects.get_or_create(name="Northshire", defaults={"nation": Area.Nation.ENGLAND})
            organisations = {}
            for name, sector in ORGANISATIONS:
                organisations[name], created = Organisation.objects.get_or_create(
                    area=area, name=name, defaults={"sector": sector}
                )
                if created:
                    record(None, "organisation.created", organisations[name], actor_label="load_demo")
            for local, full_name, role, organisation in USERS:
                email = f"{local}@{DEMO_DOMAIN}"
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email,
                        password=DEMO_PASSWORD,
                        full_name=full_name,
                        role=role,
                        organisation=organisations[organisation],
                    )
                    record(None, "user.created", user, actor_label="load_demo", role=role)
                TOTPDevice.objects.get_or_create(
                    user=user, confirmed=True, defaults={"name": "Demo authenticator", "key": demo_key(email)}
                )
            users = {user.email.split("@")[0]: user for user in User.objects.filter(email__endswith=DEMO_DOMAIN)}
            context = {"area": area, "organisations": organisations, "users": users}
            for dotted in DEMO_LOADERS:
                module_name, _, function_name = dotted.rpartition(".")
                getattr(import_module(module_name), function_name)(context)
        logins = list(
            User.objects.filter(email__endswith="@" + DEMO_DOMAIN).select_related("organisation").order_by("pk")
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: Northshire, {len(organisations)} organisations, {len(logins)} users.")
        )
        self.print_logins(logins)

    def print_logins(self, logins):
        # Every demo login, including those the apps' loaders add (the Prevent leads…).
        self.stdout.write("\nDemo sign-ins (all fictional). Password for every account: " + DEMO_PASSWORD)
        rows = [
            (user.email, user.get_role_display() + (f" ({user.job_title})" if user.job_title else ""),
             user.organisation)
            for user in logins
        ]  # fmt: skip
        width = max((len(about) for _email, about, _organisation in rows), default=0)
        for email, about, organisation in rows:
            self.stdout.write(f"  {email:<40} {about:<{width}}  {organisation.name}")
        self.stdout.write(
            "\nOne-time codes: add the key to an authenticator app, or run\n"
            f"  .venv/bin/python manage.py totp_code chair@{DEMO_DOMAIN}\n"
        )
