"""Give every area (or one) the ready-made forms it does not have yet. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from roundtable.accounts.models import Area
from roundtable.formbuilder.standard import load_standard_forms


class Command(BaseCommand):
    help = (
        "Create and publish the standard forms "
        "(Channel referral, Behaviour Referral Form, home visit, information return)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", help="Only this area (by name)")

    def handle(self, *args, **options):
        areas = Area.objects.all()
        if options.get("area"):
            areas = areas.filter(name=options["area"])
            if not areas.exists():
                raise CommandError(f"No area called {options['area']!r}.")
        for area in areas:
            loaded = load_standard_forms(area)
            self.stdout.write(f"{area.name}: {len(loaded)} standard form(s) added.")
