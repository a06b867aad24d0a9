"""Settings fail fast: production without a secret key refuses to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
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
    assert engine == "betterway.postgresql"  # Django's, with a cheaper health check


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


def test_a_served_process_freezes_its_start_up_objects_and_collects_less_often():
    code = "import gc, betterway.wsgi; print(gc.get_freeze_count() > 1000, gc.get_threshold()[0])"
    assert _database_setting(code) == "True 50000"
