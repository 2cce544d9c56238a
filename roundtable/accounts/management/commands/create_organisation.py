from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from roundtable.accounts.models import Area, Sector
from roundtable.accounts.services import do_create_organisation


class Command(BaseCommand):
    help = "Create an organisation (agency) in an area, creating the area if it is new."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--area", required=True, help="Area name, e.g. 'Northshire'")
        parser.add_argument("--sector", required=True, choices=Sector.values)
        parser.add_argument("--nation", default=Area.Nation.ENGLAND, choices=Area.Nation.values)

    def handle(self, *args, name, area, sector, nation, **options):
        area_obj, created = Area.objects.get_or_create(name=area.strip(), defaults={"nation": nation})
        try:
            organisation = do_create_organisation(None, name=name, area=area_obj, sector=sector)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {organisation.name} (id {organisation.pk}) in {area_obj.name}."))
