"""Email reminders to people who have not submitted, in every open cycle or in one. Nobody is
emailed twice within REMINDER_INTERVAL_HOURS, so a scheduler may run this as often as it likes."""

from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.models import Cycle, CycleStatus


class Command(BaseCommand):
    help = "Send reminders for every open cycle, or for one cycle with --cycle ID."

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
            sent = services.send_reminders(target)
            total += sent
            self.stdout.write(f"{target}: {sent} reminder(s) sent.")
        self.stdout.write(f"{total} reminder(s) sent in {len(targets)} open cycle(s).")
