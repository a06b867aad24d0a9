from django.core.management.base import BaseCommand, CommandError

from assessments.models import Cycle, CycleStatus
from assessments.results import cycles_to_recompute, rebuild_snapshot


class Command(BaseCommand):
    help = (
        "Rebuild the results snapshots of closed, unreleased cycles, in the order they closed, so "
        "that trends and benchmarks pick up releases made since. Released results are frozen: "
        "members have read them, and a second version could be set against the first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="Rebuild only this cycle (by id).")

    def handle(self, *args, cycle=None, **options):
        cycles = cycles_to_recompute()
        if cycle is not None:
            cycles = cycles.filter(pk=cycle)
            if not cycles:
                found = Cycle.objects.filter(pk=cycle).first()
                if found is None:
                    raise CommandError(f"There is no cycle {cycle}.")
                if found.status == CycleStatus.RELEASED:
                    raise CommandError(
                        f"Cycle {cycle} is released: its results are frozen as members saw them."
                    )
                raise CommandError(f"Cycle {cycle} has no results: it is not closed yet.")
        count = 0
        for each in cycles:
            result = rebuild_snapshot(each)  # delete and rebuild in one transaction
            count += 1
            self.stdout.write(f"Rebuilt {each} ({result.n_responses} responses)")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {count} snapshot(s)."))
