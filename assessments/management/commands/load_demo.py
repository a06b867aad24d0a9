from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actions.demo import load_demo_plan
from assessments.banks import load_bank_v1, load_default_bank
from assessments.delivery import invitation_url
from assessments.demo import load_demo_open_cycle, load_demo_results
from places.demo import DEMO_PASSWORD, load_demo_people


class Command(BaseCommand):
    help = "Load demo places, people and results for trying the app out. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even with DEBUG off (never in production)."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo accounts have a published password: refusing with DEBUG off.")
        bank, _ = load_default_bank()
        logins = load_demo_people()
        # The released history was answered on v1; the open round uses the current bank.
        created = load_demo_results(load_bank_v1())
        if created:
            self.stdout.write(f"Created {created} demo cycles with results.")
        planned = load_demo_plan()
        if planned:
            self.stdout.write(f"Created Riverside's action plan ({planned} actions).")
        invitation = load_demo_open_cycle(bank)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is ready. Sign in at {settings.SITE_URL}/")
        )
        for login in logins:
            self.stdout.write(f"  {login.username:<12} password {DEMO_PASSWORD}  ({login.role})")
        if invitation is not None:
            self.stdout.write(
                f"Answer {invitation.cycle.place.name}'s open round as {invitation.name} "
                f"({invitation.partner.name}): {invitation_url(invitation)}"
            )
