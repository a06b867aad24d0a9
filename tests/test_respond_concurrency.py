"""Two submits of the same invitation at the same moment give exactly one response (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from assessments import services
from assessments.models import CycleStatus, DraftResponse, Response, Statement
from tests.factories import CycleFactory, PartnerFactory, make_bank


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_create_exactly_one_response():
    if connection.vendor != "postgresql":
        pytest.skip("row locking under real concurrency is a PostgreSQL property")
    cycle = CycleFactory(bank=make_bank(n_conditions=1, n_statements=2), status=CycleStatus.OPEN)
    partner = PartnerFactory(place=cycle.place)
    invitation = services.create_invitations(
        cycle, [services.InviteeLine("Robin", "robin@example.org", partner)]
    )[0]
    DraftResponse.objects.create(
        invitation=invitation,
        partner=partner,
        role_level="manager",
        spectrum_choice="strong",
        answers={str(s.pk): 4 for s in Statement.objects.for_bank(cycle.bank)},
    )

    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def submit():
        try:
            barrier.wait()
            outcomes.append(services.submit_response(invitation))
        except Exception as error:  # noqa: BLE001 - any error fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(outcomes) == [False, True]
    assert Response.objects.count() == 1
    assert Response.objects.get().answers.count() == 2
