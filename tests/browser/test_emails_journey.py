"""In a real browser: the cycle page's emails that could not be sent, with the button that tries
them again, its notice of a closing that did not happen by itself, and the page behind the link
in reminder emails — each checked by axe and the HTML checker like every other page."""

from __future__ import annotations

import pytest

from assessments import scheduled
from assessments.models import AutomationAction, Delivery, DeliveryStatus
from tests.browser import scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_failed_emails_are_listed_and_tried_again(live_server, page, new_context, check):
    place = scenarios.make_place()
    cycle = scenarios.open_cycle(place, scenarios.default_bank())
    scenarios.facilitator(place)
    partner = place.partners.order_by("name").first()
    jo, sam = scenarios.invite(
        cycle, ("Jo Bloggs", "jo@example.org", partner), ("Sam Lee", "sam@example..org", partner)
    )
    Delivery.objects.filter(invitation=sam).update(
        status=DeliveryStatus.FAILED, attempts=1, error="This is not a valid email address."
    )
    scheduled.record_failure(
        cycle, AutomationAction.CLOSE, "an error on the server stopped it (OperationalError)."
    )

    scenarios.log_in(page, live_server, "facilitator", check)
    page.goto(f"{live_server.url}/places/{place.slug}/cycles/{cycle.pk}/")
    check.page(page, "cycle with a failed email and a failed closing")
    alert = page.get_by_role("alert").filter(has_text="did not close by itself")
    assert "an error on the server stopped it (OperationalError)." in alert.inner_text()
    failures = page.get_by_role("table", name="Emails that could not be sent")
    assert "sam@example..org" in failures.inner_text()
    assert "This is not a valid email address." in failures.inner_text()
    page.get_by_role("button", name="Try sending it again").click()
    check.page(page, "cycle after trying again")
    assert page.get_by_text("Trying 1 email again now.").is_visible()
    assert Delivery.objects.get(invitation=sam).status == DeliveryStatus.QUEUED

    respondent = new_context().new_page()
    respondent.goto(f"{live_server.url}/emails/stop/{jo.token}/")
    check.page(respondent, "stop emails")
    respondent.get_by_role("button", name="Stop these emails").click()
    check.page(respondent, "emails stopped")
    assert respondent.get_by_text("Done: you will get no more reminders").is_visible()
