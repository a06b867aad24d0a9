from django.core.management.base import BaseCommand

from assessments.banks import load_default_bank


class Command(BaseCommand):
    help = "Create and publish the default question bank. Running it again changes nothing."

    def handle(self, *args, **options):
        bank, created = load_default_bank()
        verb = "Loaded" if created else "Already present:"
        self.stdout.write(f"{verb} {bank}")
