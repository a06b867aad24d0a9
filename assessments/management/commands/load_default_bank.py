from django.core.management.base import BaseCommand

from assessments.banks import load_default_banks


class Command(BaseCommand):
    help = (
        "Create and publish the default question banks, oldest first (the newest is the one new "
        "rounds use). Running it again changes nothing."
    )

    def handle(self, *args, **options):
        for bank, created in load_default_banks():
            verb = "Loaded" if created else "Already present:"
            self.stdout.write(f"{verb} {bank}")
