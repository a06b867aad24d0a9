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
from django.template import engines
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


def ascii_html(html: Markup) -> Markup:
    """The same markup with every character outside ASCII written as a character reference (’
    as &#8217;), which a browser shows as the same character.

    Python keeps a string made only of ASCII characters one byte a character, and joins and
    encodes such strings by copying bytes. One curly apostrophe anywhere makes the whole page
    two bytes a character, and encoding the 10 kB questionnaire page for the response then took
    116,000 instructions, 4 % of the page (docs/PERFORMANCE.md). Only for markup that is never
    inside a <script> or <style> element, where a reference is not read as a character (this
    app has no inline script or style).
    """
    if not hasattr(html, "__html__"):
        raise TypeError("ascii_html() takes markup that is already safe, not plain text.")
    # Safe: it was markup, and a character reference only stands for the character it replaces.
    return Markup(html.encode("ascii", "xmlcharrefreplace").decode("ascii"))  # noqa: S704  # nosec B704


def _fragments(env: Environment) -> Callable[..., Markup]:
    """fragment(template, macro, *args): what the macro returns for these arguments.

    The busiest page renders the same few pieces over and over (a statement with its radio
    buttons, checked or not), so a macro whose output depends on nothing but its arguments is
    rendered once per process for each set of arguments, then reused. The arguments must be
    hashable (tuples, not lists) and must be all the output depends on: nothing from the context,
    and nothing a respondent typed, which would fill the cache with one-off entries. Arguments
    are told apart by type too, so a safe string and the same text unescaped never share an
    entry. When templates reload (development), nothing is kept. The output is ASCII (see
    ascii_html()), whatever the bank's wording.
    """

    def render(template: str, macro: str, *args) -> Markup:
        return ascii_html(getattr(env.get_template(template).module, macro)(*args))

    return render if env.auto_reload else functools.lru_cache(maxsize=2048, typed=True)(render)


def fragment(template: str, macro: str, *args) -> Markup:
    """The respondent pages' fragment() (see _fragments), for Python code that puts a page
    together: a call from Python costs a tenth of a call from a template."""
    return engines["jinja2"].env.globals["fragment"](template, macro, *args)


def environment(**options) -> Environment:
    options = {
        key: value for key, value in options.items() if key not in {"autoescape", "undefined"}
    }
    env = Environment(autoescape=True, undefined=StrictUndefined, **options)
    env.globals.update(static=static_url, url=url, fragment=_fragments(env))
    env.filters["date"] = date
    return env
