from __future__ import annotations

import csv
import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import date_format

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
        if self.instance.pk is None:
            # A new round's invitation email starts with the last round's words and contact,
            # which the facilitator sees and can change on the invitation email page.
            last = (
                Cycle.objects.filter(place=place)
                .order_by("-created_at", "-pk")
                .values("invitation_message", "contact_name", "contact_email")
                .first()
            )
            for name, value in (last or {}).items():
                setattr(self.instance, name, value)
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
# About 100 bytes a person: far more than MAX_INVITATION_LINES people is not a list of invitees.
MAX_CSV_BYTES = 5 * 1024 * 1024
HEADER = ("name", "email", "partner")


def _is_header(parts: list[str]) -> bool:
    """A first line naming the columns, as spreadsheets export them: skipped, not an error."""
    words = [part.strip().casefold() for part in parts[:3]]
    return len(words) == 3 and words[0] == "name" and words[1].startswith("email")


class InviteeChecker:
    """Checks numbered rows of name, email and partner against the cycle: every problem of
    every row is reported by its line number, so a list is corrected in one go."""

    def __init__(self, cycle: Cycle):
        self.cycle = cycle
        self.partners = {p.name.casefold(): p for p in cycle.place.partners.all()}
        self.already = {
            email.casefold(): revoked is not None
            for email, revoked in Invitation.objects.filter(cycle=cycle).values_list(
                "email", "revoked_at"
            )
        }

    def check(self, rows: list[tuple[int, list[str]]]) -> list[InviteeLine]:
        if rows and _is_header(rows[0][1]):
            rows = rows[1:]
        if len(rows) > MAX_INVITATION_LINES:
            raise ValidationError(
                f"Please invite at most {MAX_INVITATION_LINES} people at a time "
                f"(this list has {len(rows)})."
            )
        partner_names = ", ".join(p.name for p in self.partners.values())
        errors: list[str] = []
        invitees: list[InviteeLine] = []
        seen: dict[str, int] = {}
        for number, parts in rows:
            parts = [part.strip() for part in parts]
            if len(parts) < 3:
                errors.append(
                    f"Line {number}: expected a name, an email address and a partner, separated "
                    "by commas."
                )
                continue
            # A partner's name may itself hold commas: everything after the second is the partner.
            name, email, partner_name = parts[0], parts[1], ", ".join(parts[2:]).strip(" ,")
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
                elif key in self.already:
                    problems.append(
                        f"{email} has already been invited to this cycle"
                        + (" (their link was withdrawn)" if self.already[key] else "")
                    )
                seen.setdefault(key, number)
            partner = self.partners.get(partner_name.casefold())
            if partner is None:
                if not self.partners:
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
            raise ValidationError("The list has nobody to invite.")
        return invitees


def _pasted_rows(text: str) -> list[tuple[int, list[str]]]:
    # Tabs come from pasting spreadsheet columns; commas from typing.
    return [
        (number, line.split("\t" if "\t" in line else ","))
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def _decode(data: bytes) -> str:
    # Excel writes UTF-8 with a byte order mark, or Windows-1252 on older versions.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    for row in reader:
        if any(cell.strip() for cell in row):
            rows.append((reader.line_num, row))
    return rows


class InvitationImportForm(forms.Form):
    """A pasted list of `name, email, partner` lines, or the same columns in a CSV file. Either
    every line is good and all are imported, or nothing is and each bad line is reported by its
    number. A file with problems is put into the box, line for line, to be corrected there:
    nothing typed or uploaded is lost."""

    lines = forms.CharField(
        label="Paste a list",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=(
            "One person per line: name, email address, partner organisation — separated by "
            "commas, or pasted straight from three spreadsheet columns. Blank lines and a first "
            "line of column names are ignored."
        ),
    )
    csv_file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=(
            "Three columns — name, email, partner — saved from a spreadsheet as CSV. A first row "
            "of column names is fine."
        ),
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.from_file = False

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("csv_file")
        text = cleaned.get("lines", "")
        if upload and text.strip():
            raise ValidationError(
                "Please either paste a list or upload a file, not both. The pasted list is "
                "still in the box; choose the file again if you want to use it instead."
            )
        if upload:
            if upload.size > MAX_CSV_BYTES:
                self.add_error("csv_file", "This file is too large to be a list of people.")
                return cleaned
            data = upload.read()
            if b"\x00" in data[:4096] or data.startswith(b"PK\x03\x04"):
                self.add_error(
                    "csv_file",
                    "This is not a CSV file (it looks like a spreadsheet workbook). In your "
                    "spreadsheet, use “Save as” and choose CSV, then upload that file.",
                )
                return cleaned
            self.from_file = True
            rows = _csv_rows(_decode(data))
            # The file's rows go into the box (tab-separated, so commas in names survive):
            # if they need correcting, that is where, with the same line numbers.
            text = "\n".join("\t".join(" ".join(c.split()) for c in cells) for _, cells in rows)
            self.data = self.data.copy()
            self.data["lines"] = text
            rows = _pasted_rows(text)
        elif not text.strip():
            self.add_error("lines", "Paste at least one person to invite, or upload a file.")
            return cleaned
        else:
            rows = _pasted_rows(text)
        try:
            cleaned["invitees"] = InviteeChecker(self.cycle).check(rows)
        except ValidationError as error:
            self.add_error("lines", error)
        return cleaned


class InvitationForm(forms.ModelForm):
    """One person: to invite, or to correct before they start (Invitation.partner is fixed
    then, so the partner is only offered for a new invitation)."""

    class Meta:
        model = Invitation
        fields = ["name", "email", "partner"]
        labels = {"email": "Email address", "partner": "Partner organisation"}

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        if self.instance.pk:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = cycle.place.partners.all()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        taken = Invitation.objects.filter(cycle=self.cycle, email__iexact=email)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(f"{email} has already been invited to this cycle.")
        return email


class ExtendForm(forms.Form):
    closes_on = forms.DateField(
        label="New closing date",
        widget=DateInput(),
        help_text="The last day people can answer. The cycle closes itself after this day.",
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closes_on <= self.cycle.closes_on:
            raise ValidationError(
                f"Choose a day after the current closing date, "
                f"{date_format(self.cycle.closes_on, 'j F Y')}."
            )
        return closes_on


class InvitationEmailForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["invitation_message", "contact_name", "contact_email"]
        widgets = {"invitation_message": forms.Textarea(attrs={"rows": 6})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_email") and not cleaned.get("contact_name"):
            self.add_error("contact_name", "Give the contact's name as well as their address.")
        return cleaned
