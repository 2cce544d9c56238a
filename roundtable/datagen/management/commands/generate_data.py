"""manage.py generate_data --scale small|county|national [--seed N] [--manifest PATH]"""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from roundtable.audit.services import record
from roundtable.datagen.manifest import ManifestError
from roundtable.datagen.run import DEFAULT_PASSWORD, NotEmpty, generate
from roundtable.datagen.scales import SCALES


class Command(BaseCommand):
    help = (
        "Fill an empty database with fictional, realistic data at a chosen scale (reproducible from "
        "the seed and date), and write the manifest the page benchmark reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), required=True)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--manifest", help="Where to write the manifest (default var/bench/<scale>.json)")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="The day the data is generated 'as of' (YYYY-MM-DD, default today): due dates and "
            "meetings are relative to it, so the same seed and day give the same rows",
        )
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="Every generated user's password")
        parser.add_argument("--no-migrate", action="store_true", help="The database is already migrated")

    def handle(self, *args, scale, seed, manifest, today, password, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", verbosity=0, interactive=False)
        path = Path(manifest) if manifest else Path(settings.VAR_DIR) / "bench" / f"{scale}.json"
        self.stdout.write(f"Generating the {scale} scale (seed {seed})…")
        try:
            data, lines = generate(scale, seed, today, password, log=self.stdout.write)
        except (NotEmpty, ManifestError) as error:
            raise CommandError(str(error)) from error
        record(None, "datagen.loaded", actor_label="manage.py generate_data", scale=scale, seed=seed,
               today=data["today"])  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Manifest written to {path}"))
