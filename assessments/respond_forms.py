"""Forms of the respondent's journey. Every value is checked against what this page offers."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from assessments.models import ANSWER_SCALE, Condition, QuestionBank, RoleLevel, Statement
from betterway.jinja2 import ascii_html, fragment, templates_reload

DONT_KNOW = "dk"
ANSWER_CHOICES = [(str(value), label) for value, label in ANSWER_SCALE] + [
    (DONT_KNOW, "Don’t know")
]
_STATEMENT_FIELD = re.compile(r"^s(\d+)$")


def field_name(statement: Statement) -> str:
    return f"s{statement.pk}"


def stored_value(choice: str) -> int | None:
    """The form's choice as the draft stores it: 1..5, or None for don't know."""
    return None if choice == DONT_KNOW else int(choice)


def choice_from_stored(value: int | None) -> str:
    return DONT_KNOW if value is None else str(value)


# Not frozen: a frozen dataclass takes four times as long to make, and the busiest page makes
# both of these every time.
@dataclass(slots=True)
class CommentBox:
    """The optional comment at the foot of a condition page, ready for the template."""

    name: str
    id: str
    label: str
    text: str
    errors: list[str]


@dataclass(slots=True)
class ConditionPage:
    """What a condition page shows: its questions, the comment box and any page-wide errors.

    Made from the saved draft to show a page (no form is needed just to show one: binding one
    was a third of the cost of the busiest page), or from the bound form to show it back with
    its errors.
    """

    questions: SafeString  # every statement's fieldset, in order
    comment: CommentBox
    has_errors: bool = False
    page_errors: Sequence[str] = ()

    @classmethod
    def from_draft(
        cls,
        condition: Condition,
        rows: Sequence[QuestionRow],
        answers: Mapping[str, int | None],
        comment: str,
    ) -> ConditionPage:
        """The page with the draft's saved answers: `rows` are the condition's statements, as
        Questionnaire.question_rows() gives them."""
        chosen = [
            choice_from_stored(answers[row.key]) if row.key in answers else None for row in rows
        ]
        box = CommentBox("comment", "id_comment", comment_label(condition), comment, [])
        return cls(questions_html(tuple(rows), chosen), box)


class QuestionRow(NamedTuple):
    """What a statement's fieldset shows of it, as plain text: a hashable cache key."""

    key: str  # the statement's key in a draft's answers
    name: str  # its field's name
    text: str
    help_text: str

    @classmethod
    def of(cls, statement: Statement) -> QuestionRow:
        # str(): plain text even if a subclass of str (a safe string) was stored on the model,
        # so that the same characters marked safe or not can never share a cache entry.
        return cls(
            str(statement.pk), field_name(statement), str(statement.text), str(statement.help_text)
        )


def question_html(
    number: int, statement: Statement, chosen: str | None, errors: tuple[str, ...] = ()
) -> SafeString:
    """One statement's fieldset: its legend, help, errors and radio buttons, `chosen` checked.

    Put together here rather than by a template loop: a call from a Jinja2 template costs ten
    times a call from Python, and the busiest page has one per statement (docs/PERFORMANCE.md).
    """
    row = QuestionRow.of(statement)
    make = _unless_reloading(_question_html)
    return make(number, row.name, row.text, row.help_text, _offered(chosen), errors)


def questions_html(rows: tuple[QuestionRow, ...], chosen: Sequence[str | None]) -> SafeString:
    """Every statement's fieldset of a page without errors, in order, each `chosen` checked.

    The whole block is kept per set of answers, not only each fieldset: the busiest request is
    the first look at a page, where nothing is answered yet, so one entry per page serves most
    of them. Looking up six fieldsets and joining them took 104,000 instructions a page; the
    kept block takes 32,000 (docs/PERFORMANCE.md).
    """
    make = _unless_reloading(_questions_html)
    return make(rows, tuple([_offered(choice) for choice in chosen]))


@functools.lru_cache(maxsize=512)
def _questions_html(rows: tuple[QuestionRow, ...], chosen: tuple[str | None, ...]) -> SafeString:
    """A pure function of plain strings (QuestionRow.of, _offered), so kept per process. At
    most 512 blocks of about 9 kB (some 4.6 MB), where the single fieldsets keep 4,096."""
    make = _unless_reloading(_question_html)
    return _joined(
        [
            make(number, row.name, row.text, row.help_text, choice, ())
            for number, (row, choice) in enumerate(zip(rows, chosen, strict=True), start=1)
        ]
    )


@functools.cache
def _unless_reloading(cached: Callable[..., SafeString]) -> Callable[..., SafeString]:
    """`cached`, or the function it caches when templates reload (development), when an edit
    to the template must show at once. Whether they reload is fixed for a process's life."""
    return cached.__wrapped__ if templates_reload() else cached


@functools.lru_cache(maxsize=4096, typed=True)
def _question_html(
    number: int, name: str, text: str, help_text: str, chosen: str | None, errors: tuple[str, ...]
) -> SafeString:
    """A pure function of its arguments (a statement has seven states: unanswered, five values and
    don't know), so each is made once per process; typed, so that text already marked safe never
    shares an entry with the same characters unescaped."""
    radios = _radio_options(name, chosen)
    return fragment(
        "respond/_question.html", "question", number, name, text, help_text, radios, errors
    )


def _joined(parts: list[SafeString]) -> SafeString:
    # Safe: each part is already escaped markup, and joining adds nothing.
    return mark_safe("\n".join(parts))  # noqa: S308  # nosec B308 B703


def comment_label(condition: Condition) -> str:
    return condition.comment_prompt or "Anything you would like to add?"


# One radio input with its label, as Django's RadioSelect would name and number it.
_RADIO = (
    '<div class="form-check">'
    '<input class="form-check-input" type="radio" name="{name}" id="id_{name}_{index}" '
    'value="{value}"{checked}>'
    '<label class="form-check-label" for="id_{name}_{index}">{label}</label>'
    "</div>"
)
# Labels as ASCII, with character references for the rest ("Don&#8217;t know"): a page made
# only of ASCII text is joined and encoded by copying bytes (betterway/jinja2.py).
_ESCAPED_CHOICES = [(escape(value), ascii_html(escape(label))) for value, label in ANSWER_CHOICES]


_CHOICE_VALUES = frozenset(value for value, _label in ANSWER_CHOICES)


def _offered(chosen: str | None) -> str | None:
    """The choice if it is one this page offers, else None: a tampered value is never checked,
    nor becomes a cache key."""
    return chosen if chosen in _CHOICE_VALUES else None


def radio_options(name: str, chosen: str | None) -> SafeString:
    """One statement's radio inputs and labels, `chosen` checked if it is one of the choices."""
    return _radio_options(name, _offered(chosen))


@functools.lru_cache(maxsize=4096)
def _radio_options(name: str, chosen: str | None) -> SafeString:
    """Made here rather than by a template loop over every option of every statement, which was
    most of the cost of a questionnaire page (docs/PERFORMANCE.md). A pure function of its
    arguments, so each statement's few variants are made once per process and then reused.
    """
    name = escape(name)
    html = "\n".join(
        _RADIO.format(
            name=name,
            index=index,
            value=value,
            checked=" checked" if value == chosen else "",
            label=label,
        )
        for index, (value, label) in enumerate(_ESCAPED_CHOICES)
    )
    # Safe: the name, values and labels are escaped above; the rest is this module's markup.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


class AboutYouForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=None,
        label="Which organisation are you part of?",
        empty_label="Choose your organisation",
        error_messages={
            "required": "Please choose your organisation.",
            "invalid_choice": "Please choose one of the organisations in the list.",
        },
    )
    role_level = forms.ChoiceField(
        choices=RoleLevel.choices,
        widget=forms.RadioSelect,
        label="Which best describes your role?",
        error_messages={
            "required": "Please choose the description that fits your role best.",
            "invalid_choice": "Please choose one of the roles listed.",
        },
    )

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = place.partners.order_by("name")


class ConditionPageForm(forms.Form):
    """One condition's statements as radio groups, plus an optional comment.

    With require_all=False (going back, or saving to finish later) unanswered statements are
    allowed, but a value that was never offered is still refused.
    """

    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Please keep your comment under %(limit_value)d characters."},
    )

    def __init__(self, *args, condition: Condition, statements, require_all: bool = True, **kw):
        super().__init__(*args, **kw)
        self.condition = condition
        self.statements = list(statements)
        self.fields["comment"].label = comment_label(condition)
        for statement in self.statements:
            self.fields[field_name(statement)] = forms.ChoiceField(
                label=statement.text,
                help_text=statement.help_text,
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                required=require_all,
                error_messages={
                    "required": "Please choose an answer, or “Don’t know”.",
                    "invalid_choice": "That answer is not one of the choices. Please choose again.",
                },
            )

    def clean(self):
        cleaned = super().clean()
        expected = {field_name(s) for s in self.statements}
        foreign = [key for key in self.data if _STATEMENT_FIELD.match(key) and key not in expected]
        if foreign:
            raise forms.ValidationError(
                "This page was sent with answers to questions that are not on it, so nothing was "
                "saved. Please check your answers and send the page again.",
                code="foreign_statement",
            )
        return cleaned

    def page(self) -> ConditionPage:
        """The page as sent, with its errors, to show it back."""
        questions = []
        for number, statement in enumerate(self.statements, start=1):
            field = self[field_name(statement)]
            value = field.value()
            chosen = None if value is None else str(value)
            questions.append(question_html(number, statement, chosen, tuple(field.errors)))
        comment = self["comment"]
        box = CommentBox(
            comment.html_name,
            comment.id_for_label,
            comment.label,
            comment.value() or "",
            comment.errors,
        )
        return ConditionPage(
            _joined(questions), box, bool(self.errors), tuple(self.non_field_errors())
        )

    def answers(self) -> dict[str, int | None]:
        """Answered statements only, keyed as the draft stores them."""
        result = {}
        for statement in self.statements:
            choice = self.cleaned_data.get(field_name(statement))
            if choice:
                result[str(statement.pk)] = stored_value(choice)
        return result


class SpectrumForm(forms.Form):
    spectrum_choice = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose the description closest to how things are.",
            "invalid_choice": "That is not one of the descriptions. Please choose again.",
        },
    )

    def __init__(self, *args, bank: QuestionBank, require_all: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["spectrum_choice"]
        field.choices = bank.spectrum_choices()
        field.label = bank.spectrum_prompt
        field.help_text = bank.spectrum_help
        field.required = require_all
