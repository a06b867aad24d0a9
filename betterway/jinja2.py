"""The Jinja2 environment of the respondent's pages (templates/jinja2/respond/).

Those pages are the only ones everyone in a place opens, several times each, so they are the
busiest in the app; Jinja2 compiles a template to Python and renders it several times faster than
Django's template language (docs/PERFORMANCE.md). Every other page stays in Django templates.
Autoescaping is on (Django's backend default), and an undefined name is an error rather than an
empty string, so a mistake in a template fails its test instead of showing a blank.
"""

from __future__ import annotations

import functools

from django.template.defaultfilters import date
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment, StrictUndefined


@functools.lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """A static file's URL. The same all through a process's life (the manifest of hashed names
    is read once at start-up), and asking the storage costs more than the rest of a header."""
    return static(path)


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    options = {
        key: value for key, value in options.items() if key not in {"autoescape", "undefined"}
    }
    env = Environment(autoescape=True, undefined=StrictUndefined, **options)
    env.globals.update(static=static_url, url=url)
    env.filters["date"] = date
    return env
