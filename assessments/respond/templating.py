"""The Jinja2 environment of the respondent's pages (assessments/respond/jinja2/respond/).

They are the pages every respondent opens a dozen times, and Jinja2 renders the questionnaire
page (a form of six or seven radio groups) in a third of the time Django's template language
takes (docs/PERFORMANCE.md). They are rendered by Django's Jinja2 backend through `render()`,
like any template. Autoescaping is on, and an undefined name is an error rather than an empty
string, so that a mistake in a template fails its test instead of showing a blank.
"""

from __future__ import annotations

from django.template.defaultfilters import date
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment, StrictUndefined


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    """Django's Jinja2 backend passes its loader and its own settings; these two are ours."""
    options = {k: v for k, v in options.items() if k not in {"autoescape", "undefined"}}
    env = Environment(autoescape=True, undefined=StrictUndefined, **options)
    env.globals.update(static=static, url=url)
    env.filters["date"] = date
    return env
