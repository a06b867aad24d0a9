from __future__ import annotations

from django import forms

from assessments.models import Cycle, Statement
from places.models import Place
from workshops import focus
from workshops.models import DEFAULT_VOTES, MAX_TOPICS, Step, Workshop

TOPIC_COUNT_MESSAGE = f"Choose between one and {MAX_TOPICS} topics to focus on."


class StartForm(forms.Form):
    """The focus topics (suggested ones first, then every other condition of the round's bank),
    the vote budget and the weighting."""

    topics = forms.MultipleChoiceField(
        label="Topics to focus on",
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Choose one to {MAX_TOPICS}. The first are suggested from these results: the "
        "weakest and most divided.",
        error_messages={"required": TOPIC_COUNT_MESSAGE},
    )
    votes_per_participant = forms.IntegerField(
        label="Votes for each person in the Rank step",
        min_value=1,
        max_value=20,
        initial=DEFAULT_VOTES,
    )
    weight_partners_equally = forms.BooleanField(
        label=Workshop._meta.get_field("weight_partners_equally").verbose_name.capitalize(),
        help_text=Workshop._meta.get_field("weight_partners_equally").help_text,
        required=False,
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.cycle = cycle
        self.conditions = {c.key: c for c in cycle.bank.conditions.all()}
        self.statements = {s.key: s for s in Statement.objects.for_bank(cycle.bank)}
        suggested = focus.suggestions(cycle.result.snapshot)
        choices = [(t.value, f"{t.label} ({t.reason})") for t in suggested]
        taken = {t.value for t in suggested}
        choices += [
            (focus.condition_value(key), condition.name)
            for key, condition in self.conditions.items()
            if focus.condition_value(key) not in taken
        ]
        self.fields["topics"].choices = choices

    def clean_topics(self):
        topics = self.cleaned_data["topics"]
        if not 1 <= len(topics) <= MAX_TOPICS:
            raise forms.ValidationError(TOPIC_COUNT_MESSAGE)
        return topics

    def chosen(self) -> tuple[list, list]:
        """The chosen conditions and statements of the round's bank."""
        conditions, statements = [], []
        for value in self.cleaned_data["topics"]:
            kind, _, key = value.partition(":")
            if kind == "condition":
                conditions.append(self.conditions[key])
            else:
                statements.append(self.statements[key])
        return conditions, statements


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Workshop code",
        max_length=20,
        help_text="The six letters and numbers on the screen.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class JoinForm(forms.Form):
    display_name = forms.CharField(
        label="Your name (optional)",
        max_length=60,
        required=False,
        help_text="Shown to your partner and on the screen so people can find each other. "
        "Your ideas never show your name unless you choose to add it.",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    partner = forms.ModelChoiceField(
        label="Your organisation (optional)",
        queryset=None,
        required=False,
        empty_label="I would rather not say",
        help_text="Used only to pair you with someone from another organisation.",
    )

    def __init__(self, *args, place: Place, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = place.partners.all()


class IdeaForm(forms.Form):
    step = forms.ChoiceField(
        choices=[(Step.OWN, "Own"), (Step.PAIR, "Pair")], widget=forms.HiddenInput
    )
    text = forms.CharField(
        label="Your idea",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write your idea first."},
    )
    signed = forms.BooleanField(label="Put my name to this idea", required=False)


class ThemeForm(forms.Form):
    name = forms.CharField(label="New theme", max_length=120)
