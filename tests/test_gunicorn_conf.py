"""gunicorn.conf.py: the workers every gunicorn started in the repository's folder runs with, and
how each sets the garbage collector."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys

from django.conf import settings

from bench import loadtest

CONF = str(settings.BASE_DIR / "gunicorn.conf.py")


def test_one_worker_per_core_and_one_more(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    cores = len(os.sched_getaffinity(0))
    assert runpy.run_path(CONF)["workers"] == cores + 1
    assert loadtest.configured_workers() == cores + 1


def test_web_concurrency_sets_the_workers(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert runpy.run_path(CONF)["workers"] == 7
    assert loadtest.configured_workers() == 7


def test_where_the_cores_cannot_be_asked_the_cpu_count_is_used(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert runpy.run_path(CONF)["workers"] == 7


def test_a_worker_freezes_its_start_up_objects_and_collects_less_often():
    """post_worker_init runs in each worker once it has loaded the app."""
    code = (
        "import django, gc, runpy; django.setup(); "
        f"conf = runpy.run_path({CONF!r}); conf['post_worker_init'](None); "
        "print(gc.get_freeze_count() > 1000, gc.get_threshold()[0])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "betterway.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "50000"]
