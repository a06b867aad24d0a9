"""Forms of the respondent's journey. Every value is checked against what this page offers.

A questionnaire page's form shows the draft's saved answers as its initial values, and is bound
only to what was sent; each form also writes what it cleaned into the draft (`save_to`).
"""

from __future__ import annotations

import re

from django import forms

from assessments.models import (
    ANSWER_SCALE,
    Condition,
    DraftResponse,
    QuestionBank,
    RoleLevel,
    Statement,
)

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

    in_meetings = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda choice: choice == "yes",
        widget=forms.RadioSelect,
        label="Do you take part in the partnership's meetings or in its decisions?",
        help_text=(
            "For example, a partnership board, a steering group or a planning group. If you "
            "answer no, you will not be asked about how those meetings and decisions work."
        ),
        error_messages={
            "required": "Please say whether you take part in the partnership's meetings.",
            "invalid_choice": "Please answer yes or no.",
        },
    )

    def __init__(self, *args, place, asks_meetings: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = place.partners.order_by("name")
        if not asks_meetings:
            del self.fields["in_meetings"]

    @staticmethod
    def meetings_initial(in_meetings: bool | None) -> str:
        return {True: "yes", False: "no"}.get(in_meetings, "")


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
        self.fields["comment"].label = condition.comment_prompt or "Anything you would like to add?"
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

    @classmethod
    def saved(cls, draft: DraftResponse, condition: Condition, statements) -> ConditionPageForm:
        """The page as the draft left it: its saved answers and comment, nothing sent yet."""
        statements = list(statements)
        initial = {
            field_name(s): choice_from_stored(draft.answers[str(s.pk)])
            for s in statements
            if str(s.pk) in draft.answers
        }
        initial["comment"] = draft.comments.get(str(condition.pk), "")
        return cls(initial=initial, condition=condition, statements=statements)

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

    def questions(self) -> list[forms.BoundField]:
        """The statements' fields, in page order."""
        return [self[field_name(statement)] for statement in self.statements]

    def answers(self) -> dict[str, int | None]:
        """Answered statements only, keyed as the draft stores them."""
        result = {}
        for statement in self.statements:
            choice = self.cleaned_data.get(field_name(statement))
            if choice:
                result[str(statement.pk)] = stored_value(choice)
        return result

    def save_to(self, draft: DraftResponse) -> None:
        """Put the page's answers and comment into the draft (not saved)."""
        draft.answers.update(self.answers())
        comment = self.cleaned_data["comment"].strip()
        if comment:
            draft.comments[str(self.condition.pk)] = comment
        else:
            draft.comments.pop(str(self.condition.pk), None)


class SpectrumForm(forms.Form):
    spectrum_choice = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose the description closest to how things are.",
            "invalid_choice": "That is not one of the descriptions. Please choose again.",
        },
    )

    # "Where we need to be": asked when the bank has the question.
    spectrum_target = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose the description closest to how partners need to work.",
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
        if bank.target_prompt:
            target = self.fields["spectrum_target"]
            target.choices = bank.spectrum_choices()
            target.label = bank.target_prompt
            target.help_text = bank.target_help
            target.required = require_all
        else:
            del self.fields["spectrum_target"]

    @classmethod
    def saved(cls, draft: DraftResponse, bank: QuestionBank) -> SpectrumForm:
        initial = {
            "spectrum_choice": draft.spectrum_choice,
            "spectrum_target": draft.spectrum_target,
        }
        return cls(initial=initial, bank=bank)

    def save_to(self, draft: DraftResponse) -> None:
        for name in ("spectrum_choice", "spectrum_target"):
            if self.cleaned_data.get(name):
                setattr(draft, name, self.cleaned_data[name])
