"""Forms for the action plan. Every choice offered (owners, round, conditions, statements) is
limited to this place and its released rounds, so a tampered value fails validation with a
message in the page and saves nothing."""

from __future__ import annotations

from django import forms

from actions.models import Action, ActionStatus
from assessments.models import Condition, Cycle, CycleStatus, Statement
from places.models import Partner, Place


class ConditionChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Condition) -> str:
        return obj.name


class StatementChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Statement) -> str:
        return f"{obj.condition.name}: {obj.text}"


class ActionForm(forms.ModelForm):
    conditions = ConditionChoice(
        queryset=Condition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Conditions it should improve",
    )
    statements = StatementChoice(
        queryset=Statement.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Statements it should improve",
        help_text="The next round shows how these changed.",
    )

    class Meta:
        model = Action
        fields = ["title", "description", "cycle", "owners", "due_date", "conditions", "statements"]
        labels = {
            "title": "Action",
            "description": "What will be done",
            "cycle": "The round of results it answers",
            "owners": "Owner organisations",
            "due_date": "Due by",
        }
        help_texts = {
            "title": "A short name, such as “Rotate who chairs the partnership meeting”.",
            "owners": "The organisations responsible. Their members can update the action.",
        }
        widgets = {
            "owners": forms.CheckboxSelectMultiple,
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, place: Place, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.place = place
        rounds = Cycle.objects.filter(place=place, status=CycleStatus.RELEASED).order_by(
            "-closed_at", "-pk"
        )
        self.fields["cycle"].queryset = rounds
        self.fields["cycle"].empty_label = "None: not in answer to a round"
        self.fields["owners"].queryset = Partner.objects.filter(place=place).order_by("name")
        banks = rounds.values("bank_id")
        self.fields["conditions"].queryset = Condition.objects.filter(bank_id__in=banks).order_by(
            "bank_id", "order", "pk"
        )
        self.fields["statements"].queryset = (
            Statement.objects.filter(condition__bank_id__in=banks)
            .select_related("condition")
            .order_by("condition__bank_id", "condition__order", "order", "pk")
        )
        if not self.instance.pk:
            self.fields["cycle"].initial = rounds.first()

    def clean(self):
        cleaned = super().clean()
        cycle = cleaned.get("cycle")
        linked = [*cleaned.get("conditions", []), *cleaned.get("statements", [])]
        banks = {getattr(item, "bank_id", None) or item.condition.bank_id for item in linked}
        if len(banks) > 1:
            raise forms.ValidationError(
                "Link conditions and statements of one round's questions only."
            )
        if cycle is not None and banks and banks != {cycle.bank_id}:
            raise forms.ValidationError(
                "The conditions and statements must come from the round the action answers."
            )
        return cleaned


class UpdateForm(forms.Form):
    text = forms.CharField(
        label="What has happened", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "No change"), *ActionStatus.choices],
    )
