"""Close every open cycle whose closing date has passed. Run daily by a scheduler (cron, a
systemd timer or the platform's scheduled jobs)."""

from django.core.management.base import BaseCommand

from assessments import services


class Command(BaseCommand):
    help = "Close every open cycle whose closing date has passed."

    def handle(self, *args, **options):
        closed = services.close_due_cycles()
        for cycle in closed:
            self.stdout.write(f"Closed {cycle} (closing date {cycle.closes_on:%d %b %Y}).")
        self.stdout.write(f"{len(closed)} cycle(s) closed.")
