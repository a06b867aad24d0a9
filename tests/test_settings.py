"""Settings fail fast: production without a secret key, or with an email backend that keeps emails
(and so personal links) on the server, refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    own = {"SECRET_KEY", "DEBUG", "EMAIL_BACKEND", "ALLOW_LOCAL_EMAIL_BACKEND", "SITE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in own}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _run_check({"DEBUG": "false", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_with_secret_key_starts():
    result = _run_check({"DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 0, result.stderr


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org"}
LOCAL_BACKENDS = [
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
]


@pytest.mark.parametrize("backend", LOCAL_BACKENDS)
def test_production_with_an_email_backend_that_keeps_emails_here_refuses_to_start(backend):
    # The console backend would print every invitation, its personal link included, into the log.
    result = _run_check({**PRODUCTION, "EMAIL_BACKEND": backend})
    assert result.returncode != 0
    assert f"EMAIL_BACKEND is {backend}" in result.stderr
    assert "ALLOW_LOCAL_EMAIL_BACKEND=true" in result.stderr


def test_production_starts_with_a_local_email_backend_only_when_told_explicitly():
    console = {**PRODUCTION, "EMAIL_BACKEND": LOCAL_BACKENDS[0]}
    assert _run_check({**console, "ALLOW_LOCAL_EMAIL_BACKEND": "true"}).returncode == 0
    assert _run_check({**console, "ALLOW_LOCAL_EMAIL_BACKEND": "false"}).returncode != 0


def test_production_defaults_to_smtp_and_development_to_the_console():
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    production = _database_setting(code, **PRODUCTION, EMAIL_BACKEND="")
    assert production == "django.core.mail.backends.smtp.EmailBackend"
    assert _database_setting(code, DEBUG="true", EMAIL_BACKEND="").endswith("console.EmailBackend")


def test_smtp_settings_come_from_the_environment():
    code = "from django.conf import settings; print(settings.MAILERS['default']['OPTIONS'])"
    options = _database_setting(
        code,
        **PRODUCTION,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="mailer",
        EMAIL_USE_TLS="true",
    )
    for pair in (
        "'host': 'smtp.example.org'",
        "'port': 587",
        "'username': 'mailer'",
        "'use_tls': True",
        "'timeout': 30",
    ):
        assert pair in options


def test_https_redirects_go_to_the_public_address():
    code = "from django.conf import settings; print(getattr(settings, 'SECURE_SSL_HOST', None))"
    url = "https://health-check.example.org/"
    assert _database_setting(code, **PRODUCTION, SITE_URL=url) == "health-check.example.org"
    assert _database_setting(code, **PRODUCTION, SITE_URL="http://localhost:8000") == "None"


def _database_setting(code: str, **environ: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "betterway.settings", **environ}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_database_url_selects_the_database():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    engine = _database_setting(code, DATABASE_URL="postgres://u:p@db.example:5432/hc")
    assert engine == "django.db.backends.postgresql"


OPTIONS = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))"


def test_postgresql_prepares_statements_unless_told_not_to():
    url = "postgres://u:p@db.example:5432/hc"
    prepared = _database_setting(OPTIONS, DATABASE_URL=url)
    assert "'server_side_binding': True" in prepared
    assert "'prepare_threshold': 5" in prepared
    plain = _database_setting(OPTIONS, DATABASE_URL=url, DB_PREPARED_STATEMENTS="false")
    assert "server_side_binding" not in plain
    assert "prepare_threshold" not in plain


def test_sqlite_has_no_prepared_statement_options():
    options = _database_setting(OPTIONS, DATABASE_URL="sqlite:///ignored.sqlite3")
    assert "server_side_binding" not in options


def test_async_unsafe_database_calls_are_allowed_only_in_the_browser_tests():
    # tests/browser/conftest.py allows them while one of its tests runs; nothing else may.
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
