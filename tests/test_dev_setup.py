"""The product as a new admin and a developer meet it: the admin carries the product's name, and
`make run` on another port prints and emails links to that port (issue 21)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_the_admin_is_named_as_the_product(client, staff):
    client.force_login(staff)
    for target in (reverse("admin:index"), reverse("admin:places_place_changelist")):
        page = client.get(target).content.decode()
        assert "Django administration" not in page and "Django site admin" not in page
        assert "Collaboration health check: administration" in page
        assert "Collaboration health check admin</title>" in page
    client.logout()
    login = client.get(reverse("admin:login")).content.decode()
    assert "Collaboration health check: administration" in login


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(
    ("arguments", "site_url", "host"),
    [
        ([], "http://127.0.0.1:8000", "127.0.0.1:8000"),
        (["HOST=127.0.0.1:8001"], "http://127.0.0.1:8001", "127.0.0.1:8001"),
        (
            ["HOST=0.0.0.0:8002", "SITE_URL=http://192.168.1.20:8002"],
            "http://192.168.1.20:8002",
            "0.0.0.0:8002",
        ),
    ],
)
def test_make_run_gives_the_server_worker_and_demo_the_site_url_of_its_host(
    arguments, site_url, host
):
    plan = subprocess.run(  # noqa: S603 (fixed arguments)
        ["make", "--dry-run", "--always-make", "run", *arguments],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    commands = [line for line in plan.splitlines() if "manage.py" in line]
    for command in ("load_demo", "db_worker", "runserver"):
        (line,) = [c for c in commands if f"manage.py {command}" in c]
        assert f"SITE_URL='{site_url}'" in line, line
    assert any(c.endswith(f"manage.py runserver {host}") for c in commands)
