from django import forms

from obcms.coordination.models import Engagement, Partner


class PartnerForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = ["name", "acronym", "kind", "contact_person", "email", "phone", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class EngagementForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = [
            "partner",
            "title",
            "engaged_on",
            "follow_up_on",
            "status",
            "description",
            "outcome",
        ]
        widgets = {
            "engaged_on": forms.DateInput(attrs={"type": "date"}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
