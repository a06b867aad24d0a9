"""Hand on the emails a stopped worker left behind: held past their lease, or queued with no task
left to send them. Run every few minutes by a scheduler (README, "Operations")."""

from django.core.management.base import BaseCommand

from assessments import delivery


class Command(BaseCommand):
    help = "Queue again the emails whose worker stopped while it held them."

    def handle(self, *args, **options):
        swept = delivery.sweep()
        self.stdout.write(
            f"{swept.requeued} email(s) held by a stopped worker queued again, "
            f"{swept.given_up} given up (last attempt), {swept.overdue} overdue queued again, "
            f"{swept.released} waiting for an opening that has happened queued."
        )
