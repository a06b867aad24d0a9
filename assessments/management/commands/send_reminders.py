"""Queue reminders to people who have not submitted, in every open cycle or in one; a worker
sends them. Nobody is reminded within REMINDER_INTERVAL_HOURS of the last email queued for them,
so a scheduler may run this as often as it likes, and two at once remind nobody twice."""

from django.core.management.base import BaseCommand, CommandError

from assessments import delivery
from assessments.models import Cycle, CycleStatus


class Command(BaseCommand):
    help = "Queue reminders for every open cycle, or for one cycle with --cycle ID."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, metavar="ID", help="Only this cycle.")

    def handle(self, *args, cycle: int | None = None, **options):
        cycles = Cycle.objects.select_related("place")
        if cycle is not None:
            one = cycles.filter(pk=cycle).first()
            if one is None:
                raise CommandError(f"There is no cycle with id {cycle}.")
            if one.status != CycleStatus.OPEN:
                raise CommandError(f"{one} is {one.get_status_display().lower()}, not open.")
            targets = [one]
        else:
            targets = list(cycles.filter(status=CycleStatus.OPEN))
        total = 0
        for target in targets:
            queued = delivery.queue_reminders(target)
            total += queued
            self.stdout.write(f"{target}: {queued} reminder(s) queued.")
        self.stdout.write(f"{total} reminder(s) queued in {len(targets)} open cycle(s).")
