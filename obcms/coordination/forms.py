from django import forms

from obcms.coordination.models import Engagement, Partner
from obcms.records.modelforms import ModelForm


class PartnerForm(ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Partner
        fields = [
            "name",
            "acronym",
            "kind",
            "contact_person",
            "email",
            "phone",
            "website",
            "is_active",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class EngagementForm(ModelForm):
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

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Partners OOBC still works with, and the one already chosen (even if inactive now).
        current = getattr(self.instance, "partner_id", None)
        self.fields["partner"].queryset = Partner.objects.active().filter(is_active=True) | (
            Partner.objects.filter(pk=current) if current else Partner.objects.none()
        )


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label="What came of it?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Closing marks it completed: its follow-up reminders stop.",
    )
