from django import forms

from obcms.communities.models import Community
from obcms.ppas.models import PPA, ProgressUpdate
from obcms.records.modelforms import ModelForm


class PPAForm(ModelForm):
    class Meta:
        model = PPA
        fields = [
            "kind",
            "title",
            "sector",
            "description",
            "region",
            "communities",
            "requesting_community",
            "requester",
            "implementing_partner",
            "fiscal_year",
            "funding_source",
            "budget_allocated",
            "budget_spent",
            "target_beneficiaries",
            "reached_beneficiaries",
            "start_date",
            "end_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        current = Community.objects.active().only("pk", "name").order_by("name")
        self.fields["communities"].queryset = current
        self.fields["requesting_community"].queryset = current
        if self.instance.pk:  # the kind decides the status machine: fixed once created
            self.fields["kind"].disabled = True


class ProgressUpdateForm(ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["reported_on", "percent", "what_happened", "next_steps", "follow_up_on"]
        widgets = {
            "reported_on": forms.DateInput(attrs={"type": "date"}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
            "what_happened": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }


class LinkNeedForm(forms.Form):
    need = forms.IntegerField(label="Need number", min_value=1)
