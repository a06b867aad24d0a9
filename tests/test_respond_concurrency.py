"""Races that row locks settle (PostgreSQL): two submits of one invitation at the same moment give
exactly one response; a bank's publication and an edit of it happen one after the other."""

from __future__ import annotations

import threading

import pytest
from django.db import connections, transaction

from assessments import services
from assessments.models import (
    CycleStatus,
    DraftResponse,
    ImmutableBankError,
    Response,
    Statement,
)
from tests.factories import CycleFactory, PartnerFactory, make_bank

# Row locking under real concurrency is a PostgreSQL property; on SQLite these are deselected.
pytestmark = pytest.mark.postgresql


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_create_exactly_one_response():
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


@pytest.mark.django_db(transaction=True)
def test_a_statement_saved_while_its_bank_is_published_waits_and_is_refused():
    """Nothing may land in a bank after its publication, when cycles may already be answering
    it: a save racing publish() waits for it, then is refused."""
    bank = make_bank(n_conditions=1, n_statements=2, publish=False)
    statement = Statement.objects.filter(condition__bank=bank).first()
    published, errors = threading.Event(), []

    def edit():
        try:
            published.wait(timeout=10)
            statement.text = "Changed after publication"
            statement.save()
        except Exception as error:  # noqa: BLE001 - checked below
            errors.append(error)
        finally:
            connections.close_all()

    editor = threading.Thread(target=edit)
    editor.start()
    with transaction.atomic():
        bank.publish()  # holds the bank's row until this block commits
        published.set()
        editor.join(timeout=1)
        assert editor.is_alive()  # the save is waiting for the publication to commit
    editor.join(timeout=30)
    assert [type(error) for error in errors] == [ImmutableBankError]
    assert Statement.objects.get(pk=statement.pk).text != "Changed after publication"


@pytest.mark.django_db(transaction=True)
def test_publishing_waits_for_an_edit_in_progress_and_checks_what_it_left():
    bank = make_bank(n_conditions=1, n_statements=1, publish=False)
    outcomes = []

    def publish():
        try:
            bank.publish()
            outcomes.append("published")
        except ValueError as refused:
            outcomes.append(str(refused))
        finally:
            connections.close_all()

    publisher = threading.Thread(target=publish)
    with transaction.atomic():
        Statement.objects.filter(condition__bank=bank).delete()  # holds the bank's row
        publisher.start()
        publisher.join(timeout=1)
        assert publisher.is_alive()  # publication waits for the edit to commit
    publisher.join(timeout=30)
    assert len(outcomes) == 1 and "has no statements" in outcomes[0]
    bank.refresh_from_db()
    assert not bank.is_published
