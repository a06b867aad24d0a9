from django.core.management.base import BaseCommand, CommandError

from assessments.models import Cycle
from assessments.results import cycles_with_results_in_order, rebuild_snapshot


class Command(BaseCommand):
    help = (
        "Rebuild the results snapshots of closed and released cycles, in the order they closed, "
        "so that trends and benchmarks (worked out from other cycles) are refreshed too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="Rebuild only this cycle (by id).")

    def handle(self, *args, cycle=None, **options):
        cycles = cycles_with_results_in_order()
        if cycle is not None:
            cycles = cycles.filter(pk=cycle)
            if not cycles:
                if Cycle.objects.filter(pk=cycle).exists():
                    raise CommandError(f"Cycle {cycle} has no results: it is not closed yet.")
                raise CommandError(f"There is no cycle {cycle}.")
        count = 0
        for each in cycles:
            result = rebuild_snapshot(each)  # delete and rebuild in one transaction
            count += 1
            self.stdout.write(f"Rebuilt {each} ({result.n_responses} responses)")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {count} snapshot(s)."))
