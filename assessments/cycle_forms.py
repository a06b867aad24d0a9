from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from assessments.models import (
    DEFAULT_MIN_GROUP_SIZE,
    LOWEST_MIN_GROUP_SIZE,
    Cycle,
    CycleStatus,
    Invitation,
    QuestionBank,
)
from assessments.services import InviteeLine
from places.models import Place

K_CHOICE_MESSAGE = (
    f"Choose a minimum group size between {LOWEST_MIN_GROUP_SIZE} and {DEFAULT_MIN_GROUP_SIZE}."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CycleForm(forms.ModelForm):
    """Create or edit a cycle. Once a cycle has opened, respondents have been promised its k and
    are answering its bank, so neither is offered again; once it has closed, its dates are
    history and only the name can change."""

    min_group_size = forms.IntegerField(
        label="Minimum group size (k)",
        min_value=LOWEST_MIN_GROUP_SIZE,
        max_value=DEFAULT_MIN_GROUP_SIZE,
        initial=DEFAULT_MIN_GROUP_SIZE,
        error_messages={"min_value": K_CHOICE_MESSAGE, "max_value": K_CHOICE_MESSAGE},
        help_text=(
            f"No result describing fewer people than this is ever shown. {DEFAULT_MIN_GROUP_SIZE} "
            f"protects people best; a small partnership may lower it to {LOWEST_MIN_GROUP_SIZE}. "
            "It cannot change once the cycle opens."
        ),
    )

    class Meta:
        model = Cycle
        fields = ["name", "bank", "min_group_size", "opens_on", "opens_automatically", "closes_on"]
        labels = {
            "bank": "Question bank",
            "opens_on": "Opening date",
            "closes_on": "Closing date",
        }
        help_texts = {
            "name": "For example “Spring 2026”.",
            "bank": "The set of questions people will answer. It cannot change once the cycle "
            "opens.",
            "opens_on": "When you plan to open the cycle: you open it with its Open button, or "
            "it opens by itself that day if you tick the box below.",
            "opens_automatically": "Early that morning (UK time), its invitations are emailed "
            "then. Leave it unticked to open it yourself.",
            "closes_on": "The last day people can answer. The cycle closes itself after this day.",
        }
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}

    def __init__(self, *args, place: Place, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.place = place
        status = self.instance.status
        if status != CycleStatus.DRAFT:
            del self.fields["bank"], self.fields["min_group_size"], self.fields["opens_on"]
            del self.fields["opens_automatically"]
        if status in (CycleStatus.CLOSED, CycleStatus.RELEASED):
            del self.fields["closes_on"]
        if "bank" in self.fields:
            self.fields["bank"].queryset = QuestionBank.objects.published()
            self.fields["bank"].empty_label = None
            if not self.instance.pk:
                self.fields["bank"].initial = QuestionBank.objects.newest_published()

    def clean(self):
        cleaned = super().clean()
        # Once open, the opening date is no longer on the form: compare with the stored one.
        opens_on = cleaned.get("opens_on") if "opens_on" in self.fields else self.instance.opens_on
        closes_on = cleaned.get("closes_on")
        if "closes_on" in self.fields and opens_on and closes_on:
            if closes_on < opens_on:
                self.add_error("closes_on", "The closing date cannot be before the opening date.")
            elif (
                self.instance.status == CycleStatus.OPEN
                and "closes_on" in self.changed_data
                and closes_on < timezone.localdate()
            ):
                self.add_error(
                    "closes_on",
                    "The closing date cannot be in the past. To close the cycle now, use the "
                    "Close button on the cycle page.",
                )
        return cleaned


# A big place's whole list in one paste: the request only writes rows (a worker sends the
# emails), and 10,000 lines answer in well under the 3 seconds aimed for (docs/PERFORMANCE.md).
MAX_INVITATION_LINES = 20_000


class InvitationImportForm(forms.Form):
    """A pasted list of `name, email, partner` lines. Either every line is good and all are
    imported, or nothing is and each bad line is reported by its number."""

    lines = forms.CharField(
        label="People to invite",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=(
            "One person per line: name, email address, partner organisation — separated by "
            "commas, or pasted straight from three spreadsheet columns. Blank lines are ignored."
        ),
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle

    def clean_lines(self) -> list[InviteeLine]:
        partners = {p.name.casefold(): p for p in self.cycle.place.partners.all()}
        partner_names = ", ".join(p.name for p in partners.values())
        already = {
            email.casefold(): revoked is not None
            for email, revoked in Invitation.objects.filter(cycle=self.cycle).values_list(
                "email", "revoked_at"
            )
        }
        errors: list[str] = []
        invitees: list[InviteeLine] = []
        seen: dict[str, int] = {}
        numbered = [
            (number, line.strip())
            for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1)
            if line.strip()
        ]
        if len(numbered) > MAX_INVITATION_LINES:
            raise ValidationError(
                f"Please paste at most {MAX_INVITATION_LINES} people at a time "
                f"(this list has {len(numbered)})."
            )
        for number, line in numbered:
            # Tabs come from pasting spreadsheet columns; commas from typing. A partner's name may
            # itself hold commas, so everything after the second separator is the partner.
            parts = [part.strip() for part in line.split("\t" if "\t" in line else ",")]
            if len(parts) < 3:
                errors.append(
                    f"Line {number}: expected a name, an email address and a partner, separated "
                    "by commas."
                )
                continue
            name, email, partner_name = parts[0], parts[1], ", ".join(parts[2:]).strip()
            problems = []
            if not name:
                problems.append("the name is missing")
            elif len(name) > Invitation._meta.get_field("name").max_length:
                problems.append("the name is too long")
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"'{email}' is not a valid email address")
            else:
                key = email.casefold()
                if key in seen:
                    problems.append(f"{email} is already on line {seen[key]}")
                elif key in already:
                    problems.append(
                        f"{email} has already been invited to this cycle"
                        + (" (their link was withdrawn)" if already[key] else "")
                    )
                seen.setdefault(key, number)
            partner = partners.get(partner_name.casefold())
            if partner is None:
                if not partners:
                    problems.append("this place has no partners yet — add them first")
                else:
                    problems.append(
                        f"no partner called '{partner_name}' in this place — partners are: "
                        f"{partner_names}"
                    )
            if problems:
                errors.append(f"Line {number}: " + "; ".join(problems) + ".")
            else:
                invitees.append(InviteeLine(name=name, email=email, partner=partner))
        if errors:
            raise ValidationError(errors)
        if not invitees:
            raise ValidationError("Paste at least one person to invite.")
        return invitees
