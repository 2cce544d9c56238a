"""Daily sweep: remind the people asked one working day before an information request's
deadline, and flag overdue answers to them and to the sender.

Run once a day from cron or a systemd timer (see docs/inforequests.md). Running it again
sends nothing new: each reminder and each overdue flag goes out once per recipient."""

from django.core.management.base import BaseCommand

from roundtable.inforequests.services import send_information_request_reminders


class Command(BaseCommand):
    help = "Send notices and e-mails (a link only) for information requests due soon or overdue."

    def handle(self, *args, **options):
        report = send_information_request_reminders()
        self.stdout.write(
            f"Information request reminders sent: {report.due_soon} due soon, {report.overdue} overdue "
            f"({report.requesters_told} sender{'s' if report.requesters_told != 1 else ''} told)."
        )
