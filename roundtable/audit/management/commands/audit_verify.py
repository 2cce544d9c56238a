from django.core.management.base import BaseCommand, CommandError

from roundtable.audit.services import verify_chain


class Command(BaseCommand):
    help = "Prove the audit log's hash chain is unbroken; name the first event that is not."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event {report.broken_at}: {report.problem} "
                f"({report.checked} earlier events verified)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
