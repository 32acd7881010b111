from django import forms

from obcms.assessments.models import Assessment, Need


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", "team", "method", "notes"]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


NeedFormSet = forms.inlineformset_factory(
    Assessment,
    Need,
    fields=["sector", "description", "priority", "beneficiaries"],
    widgets={"description": forms.Textarea(attrs={"rows": 2})},
    extra=3,
    can_delete=True,
)


class NeedForm(forms.ModelForm):
    """What encoders record and propose; the status moves only through the register's
    decisions and the PPAs."""

    class Meta:
        model = Need
        fields = [
            "sector",
            "description",
            "priority",
            "urgency",
            "beneficiaries",
            "households",
            "estimated_cost",
            "forwarded_to",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class NeedDecisionForm(forms.Form):
    DECISIONS = [("validate", "Validate"), ("defer", "Defer"), ("reject", "Reject")]

    decision = forms.ChoiceField(choices=DECISIONS)
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to defer or reject.",
    )
