"""Sign-in pages and the home page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_home_goes_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_uses_bootstrap_from_our_own_static_files(client):
    html = client.get(reverse("login")).content.decode()
    assert "Sign in" in html
    assert "/static/bootstrap/css/bootstrap.min.css" in html
    # Every stylesheet, script and link is served by us: none names another host.
    # (A bare "cdn" search flaked whenever the random CSRF token contained it.)
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses
    assert [a for a in addresses if not a.startswith(("/", "#"))] == []


def test_sign_in_then_home_lists_the_users_places(client, facilitator_a, place_a, place_b):
    response = client.post(
        reverse("login"),
        {"username": "fac_a", "password": "correct horse battery staple"},
        follow=True,
    )
    html = response.content.decode()
    assert "Your places" in html
    assert place_a.name in html and "Facilitator" in html
    assert place_b.name not in html


def test_wrong_password_gets_a_clear_message(client, facilitator_a):
    response = client.post(reverse("login"), {"username": "fac_a", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_logout_is_a_post(client, facilitator_a):
    client.force_login(facilitator_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_reset_sends_a_working_single_use_link(client, facilitator_a):
    response = client.post(reverse("password_reset"), {"email": "fac_a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "a fresh long passphrase", "new_password2": "a fresh long passphrase"},
    )
    assert done.status_code == 302
    assert client.login(username="fac_a", password="a fresh long passphrase")
    client.logout()
    again = client.get(path, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_unknown_email_reset_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mail.outbox) == 0


def test_member_sees_own_place_and_outsider_gets_404(client, member_a, outsider, place_a):
    client.force_login(member_a)
    page = client.get(reverse("place_detail", args=[place_a.slug])).content.decode()
    assert "<h1>Ashford</h1>" in page
    assert "You are a partner member of this place." in page
    assert "No results have been released for this place yet." in page
    client.force_login(outsider)
    assert client.get(reverse("place_detail", args=[place_a.slug])).status_code == 404


def test_expired_form_gets_a_friendly_page(facilitator_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Please send that again" in html and "Back" in html
