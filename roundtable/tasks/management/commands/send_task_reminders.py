"""Daily sweep: remind assignees of open tasks due tomorrow and of overdue ones.

Run once a day from cron or a systemd timer (see docs/tasks.md). Running it again the
same day sends nothing new: each task is reminded at most once per day."""

from django.core.management.base import BaseCommand

from roundtable.tasks.services import send_task_reminders


class Command(BaseCommand):
    help = "Send in-app notices and e-mails (a link only) for tasks due tomorrow and overdue tasks."

    def handle(self, *args, **options):
        report = send_task_reminders()
        self.stdout.write(f"Task reminders sent: {report.due_tomorrow} due tomorrow, {report.overdue} overdue.")
