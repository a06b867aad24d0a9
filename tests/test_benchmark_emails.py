"""The email benchmark (docs/PERFORMANCE.md, "Emails and background work") at a tiny size: it
runs end to end, a real worker sends every email once, and it cleans up after itself."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from assessments.models import Cycle, Invitation
from places.models import Place

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_email_benchmark_prints_its_figures_and_leaves_nothing():
    out = io.StringIO()
    call_command("benchmark_emails", invitees=30, repeat=2, emails=12, timeout=120, stdout=out)
    printed = out.getvalue()
    assert "12 invitation emails through one worker to a local SMTP server:" in printed
    assert "received 12, duplicates 0" in printed
    assert re.search(r"\d+ emails/s \(\d+\.\d ms each\)", printed)
    assert re.search(
        r"import of 30 invitees \(one POST, open cycle\):\n    runs: [\d.]+ s, ", printed
    )
    assert "target: every run under 3 s" in printed
    assert not Place.objects.filter(slug="bench-emails").exists()
    assert not Cycle.objects.exists() and not Invitation.objects.exists()
