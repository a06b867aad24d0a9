"""The Jinja2 environment of the respondent's pages (templates/jinja2/respond/).

Those pages are the only ones everyone in a place opens, several times each, so they are the
busiest in the app; Jinja2 compiles a template to Python and renders it several times faster than
Django's template language (docs/PERFORMANCE.md). Every other page stays in Django templates.
Autoescaping is on (Django's backend default), and an undefined name is an error rather than an
empty string, so a mistake in a template fails its test instead of showing a blank.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType

from django.conf import settings
from django.template.defaultfilters import date
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup


@functools.lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """A static file's URL. The same all through a process's life (the manifest of hashed names
    is read once at start-up), and asking the storage costs more than the rest of a header."""
    return static(path)


def url(name: str, *args) -> str:
    if args:
        return reverse(name, args=args)
    # A link with no arguments (the home page in every header) is the same on every request
    # served under the same script prefix and URLconf: remembered, keyed by both.
    return _fixed_url(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=64)
def _fixed_url(name: str, prefix: str, urlconf: str | ModuleType) -> str:
    return reverse(name, urlconf=urlconf)


def _fragments(env: Environment) -> Callable[..., Markup]:
    """fragment(template, macro, *args): what the macro returns for these arguments.

    The busiest page renders the same few pieces over and over (a statement with its radio
    buttons, checked or not), so a macro whose output depends on nothing but its arguments is
    rendered once per process for each set of arguments, then reused. The arguments must be
    hashable (tuples, not lists) and must be all the output depends on: nothing from the context,
    and nothing a respondent typed, which would fill the cache with one-off entries. Arguments
    are told apart by type too, so a safe string and the same text unescaped never share an
    entry. When templates reload (development), nothing is kept.
    """

    def render(template: str, macro: str, *args) -> Markup:
        return getattr(env.get_template(template).module, macro)(*args)

    return render if env.auto_reload else functools.lru_cache(maxsize=2048, typed=True)(render)


def environment(**options) -> Environment:
    options = {
        key: value for key, value in options.items() if key not in {"autoescape", "undefined"}
    }
    env = Environment(autoescape=True, undefined=StrictUndefined, **options)
    env.globals.update(static=static_url, url=url, fragment=_fragments(env))
    env.filters["date"] = date
    return env
