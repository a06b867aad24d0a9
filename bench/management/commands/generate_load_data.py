"""Generate a large data set for performance measurement (see bench/load_data.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import load_data


class Command(BaseCommand):
    help = (
        "Generate places with closed, released cycles of submitted responses, in bulk, and build "
        "every cycle's results snapshot; prints how long each part took. For measuring "
        "performance only: the people it creates cannot sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--places", type=int, default=1000)
        parser.add_argument("--cycles", type=int, default=3, help="Closed cycles per place.")
        parser.add_argument("--respondents", type=int, default=30, help="Responses per cycle.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--clear", action="store_true", help="Delete previously generated data first."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args, places, cycles, respondents, seed, clear, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "This fills the database with made-up data: refusing with DEBUG off."
            )
        if min(places, cycles, respondents) < 1:
            raise CommandError("--places, --cycles and --respondents must be at least 1.")
        if clear:
            removed = load_data.clear()
            self.stdout.write(f"Deleted {removed} generated place(s).")
        try:
            timing = load_data.generate(
                places, cycles, respondents, seed, progress=self.stdout.write
            )
        except load_data.LoadDataExists as error:
            raise CommandError(f"{error} Run again with --clear.") from error
        self.stdout.write(
            f"Generated {timing.places} places, {timing.cycles} cycles, {timing.responses} "
            f"responses, {timing.answers} answers and {timing.comments} comments "
            f"(seed {seed}, {timing.method})."
        )
        for part, seconds in timing.seconds.items():
            self.stdout.write(f"  {part:<30} {seconds:8.1f} s")
        self.stdout.write(f"  {'total':<30} {timing.total:8.1f} s")
        if timing.seconds.get("responses and answers"):
            rate = timing.answers / timing.seconds["responses and answers"]
            self.stdout.write(f"  {rate:,.0f} answers per second written")
        if timing.cycles:
            per = 1000 * timing.seconds["snapshots"] / timing.cycles
            self.stdout.write(f"  {per:.1f} ms per snapshot")
