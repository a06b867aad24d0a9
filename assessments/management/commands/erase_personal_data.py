"""Erase the names and email addresses of people invited to rounds released more than
PERSONAL_DATA_RETENTION_DAYS ago. Participation counts per partner stay. Safe to run as often as a
scheduler likes: erased invitations are not touched again."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from assessments.models import Invitation


class Command(BaseCommand):
    help = (
        "Erase invitees' names and email addresses "
        f"{settings.PERSONAL_DATA_RETENTION_DAYS} days after their round's results were released."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        erased = Invitation.objects.due_for_erasure(now).erase_personal_data(now)
        self.stdout.write(f"Erased the names and email addresses of {erased} invitation(s).")
