"""Queue the opening of every draft cycle set to open by itself whose opening date has come (in
TIME_ZONE). Run by a scheduler (README, "Operations"); a worker opens them and sends their
invitations. Safe to run as often as you like."""

from django.core.management.base import BaseCommand

from assessments import scheduled


class Command(BaseCommand):
    help = "Queue the opening of every cycle set to open by itself on its opening date."

    def handle(self, *args, **options):
        cycles = scheduled.enqueue_due_openings()
        for cycle in cycles:
            self.stdout.write(f"Opening {cycle} (opening date {cycle.opens_on:%d %b %Y}).")
        self.stdout.write(f"{len(cycles)} cycle(s) queued for opening.")
