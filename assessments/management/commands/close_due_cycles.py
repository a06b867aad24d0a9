"""Queue the closing of every open cycle whose closing date has passed (in TIME_ZONE). Run by a
scheduler (README, "Operations"); a worker closes them. Safe to run as often as you like."""

from django.core.management.base import BaseCommand

from assessments import scheduled


class Command(BaseCommand):
    help = "Queue the closing of every open cycle whose closing date has passed."

    def handle(self, *args, **options):
        cycles = scheduled.enqueue_due_closings()
        for cycle in cycles:
            self.stdout.write(f"Closing {cycle} (closing date {cycle.closes_on:%d %b %Y}).")
        self.stdout.write(f"{len(cycles)} cycle(s) queued for closing.")
