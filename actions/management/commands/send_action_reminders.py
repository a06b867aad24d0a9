"""Queue reminders to the owners of actions falling due; a worker sends them. Each due date is
reminded once, so a scheduler may run this as often as it likes (daily is enough)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from actions.reminders import queue_action_reminders


class Command(BaseCommand):
    help = "Queue reminders to the owner organisations of actions due within a few days."

    def handle(self, *args, **options):
        queued = queue_action_reminders()
        self.stdout.write(
            f"{queued} reminder(s) queued for actions due in the next "
            f"{settings.ACTION_REMINDER_DAYS} day(s)."
        )
