from django.core.management.base import BaseCommand, CommandError

from assessments.models import Cycle, CycleStatus
from assessments.results import cycles_with_results_in_order, rebuild_snapshot


class Command(BaseCommand):
    help = (
        "Rebuild the results snapshots of closed cycles (and released ones that have none), in "
        "the order they closed, so that trends and benchmarks are refreshed too. Released "
        "results are left as members saw them unless --include-released is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="Rebuild only this cycle (by id).")
        parser.add_argument(
            "--include-released",
            action="store_true",
            help=(
                "Rebuild released results too. Careful: if a partner's sector or lead flag has "
                "changed since, members could compare the two versions to learn about a few people."
            ),
        )

    def handle(self, *args, cycle=None, **options):
        cycles = cycles_with_results_in_order()
        if cycle is not None:
            cycles = cycles.filter(pk=cycle)
            if not cycles:
                if Cycle.objects.filter(pk=cycle).exists():
                    raise CommandError(f"Cycle {cycle} has no results: it is not closed yet.")
                raise CommandError(f"There is no cycle {cycle}.")
        if not options["include_released"]:
            # Released figures were read by members: a regrouped second version (after a partner
            # was edited) could be set against the first to isolate a few people.
            cycles = cycles.exclude(status=CycleStatus.RELEASED, result__isnull=False)
        count = 0
        for each in cycles:
            result = rebuild_snapshot(each)  # delete and rebuild in one transaction
            count += 1
            self.stdout.write(f"Rebuilt {each} ({result.n_responses} responses)")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {count} snapshot(s)."))
