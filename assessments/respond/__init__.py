"""The respondent's journey, reached only through a personal link: urls, views, forms, the
questionnaire's structure and the templates (jinja2/respond/, see templating.py). A Django app of
its own (label `respond`) so that its templates live beside its code."""
