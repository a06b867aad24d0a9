from __future__ import annotations

from django import forms

from places.models import Partner, Place


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "sector", "size", "is_lead"]
        labels = {"is_lead": "Lead partner"}
        help_texts = {
            "name": "Respondents pick their organisation by this name, and invitation lists "
            "match on it.",
            "is_lead": "Tick for the convenor, commissioner or accountable body. Results compare "
            "lead partners with everyone else. Like the sector and size, a change counts for "
            "answers given from now on: answers already given keep the groups they had.",
        }

    def __init__(self, *args, place: Place, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place
        self.instance.place = place

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        # Invitation lists match partners by name ignoring case, so names must differ by more
        # than case.
        clash = Partner.objects.filter(place=self.place, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"This place already has a partner called “{name}”.")
        return name
