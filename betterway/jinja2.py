"""The Jinja2 environment of the respondent's pages (templates/jinja2/respond/).

Those pages are the only ones everyone in a place opens, several times each, so they are the
busiest in the app; Jinja2 compiles a template to Python and renders it several times faster than
Django's template language (docs/PERFORMANCE.md). Every other page stays in Django templates.
Autoescaping is on (Django's backend default), and an undefined name is an error rather than an
empty string, so a mistake in a template fails its test instead of showing a blank.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Hashable, Mapping
from types import ModuleType

from django.conf import settings
from django.template import engines
from django.template.defaultfilters import date
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape


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


def templates_reload() -> bool:
    """Whether the respondent pages' templates are read again when they change (development):
    then nothing rendered from them may be kept."""
    return engines["jinja2"].env.auto_reload


def fragment(template: str, macro: str, *args) -> Markup:
    """The respondent pages' fragment() (see _fragments), for Python code that puts a page
    together: a call from Python costs a tenth of a call from a template."""
    return engines["jinja2"].env.globals["fragment"](template, macro, *args)


# Where a hole is, in a rendered shell. Template text cannot hold this by accident, and no value
# can: escaped text has no "<".
_HOLE = "<!--hole:{}-->"
_HOLES = re.compile(r"<!--hole:(\w+)-->")


def render_with_holes(
    template: str, fixed: Mapping[str, Hashable], holes: Mapping[str, str]
) -> str:
    """What `template` renders to with `fixed` and `holes` as its context, for a page that many
    people get with the same `fixed` values and their own `holes`.

    The questionnaire page is the same for everyone answering the same page of the same bank at
    the same k but for three things: the place's name, their answers and their comment. Rendering
    it through Jinja2 was 340,000 of its instructions (docs/PERFORMANCE.md). So the template is
    rendered once per process for each set of `fixed` values, with a marker where each hole's
    value goes; each request then puts its holes in, escaped as the template would escape them.
    `fixed` is all the output depends on besides the holes: plain hashable values, no markup.
    The template may only print a hole as it is (`{{ name }}`: no filter, test or condition on
    it); each new shell is checked against a whole render with test values in its holes, and
    refused if they differ. When templates reload (development), the template is simply rendered.
    """
    env = engines["jinja2"].env
    if env.auto_reload:
        return env.get_template(template).render({**fixed, **holes})
    key = (tuple(fixed.items()), tuple(holes), get_script_prefix(), get_urlconf())
    return _fill(_shell(env, template, *key), holes)


def _fill(parts: tuple[str, ...], holes: Mapping[str, str]) -> str:
    filled = list(parts)
    for position in range(1, len(parts), 2):  # text, hole, text, hole, ..., text
        value = escape(holes[parts[position]])
        filled[position] = value if value.isascii() else ascii_html(value)
    return "".join(filled)


@functools.lru_cache(maxsize=256)
def _shell(
    env: Environment,
    template: str,
    fixed: tuple[tuple[str, Hashable], ...],
    holes: tuple[str, ...],
    script_prefix: str,  # links in the page follow it and the URLconf (see url())
    urlconf: str | ModuleType | None,
) -> tuple[str, ...]:
    if any(hasattr(value, "__html__") for _name, value in fixed):
        raise TypeError("Fixed values are text, escaped by the template: no markup.")
    context = dict(fixed)
    # Safe: the markers are this module's own markup, and a rendered template is markup.
    markers = {name: Markup(_HOLE.format(name)) for name in holes}  # noqa: S704  # nosec B704
    rendered = env.get_template(template).render({**context, **markers})
    parts = tuple(_HOLES.split(ascii_html(Markup(rendered))))  # noqa: S704  # nosec B704
    # Values that a filter, test or condition would treat otherwise than the template's own
    # printing does: spaces around, capitals and markup characters, and nothing at all.
    for probe in ({name: f"  {name} <&> Probe  " for name in holes}, dict.fromkeys(holes, "")):
        whole = env.get_template(template).render({**context, **probe})
        expected = ascii_html(Markup(whole))  # noqa: S704  # nosec B704
        if set(parts[1::2]) != set(holes) or _fill(parts, probe) != expected:
            raise ValueError(
                f"{template} must print each of its holes, as it is: {', '.join(holes)}"
            )
    return parts


def environment(**options) -> Environment:
    options = {
        key: value for key, value in options.items() if key not in {"autoescape", "undefined"}
    }
    env = Environment(autoescape=True, undefined=StrictUndefined, **options)
    env.globals.update(static=static_url, url=url, fragment=_fragments(env))
    env.filters["date"] = date
    return env
