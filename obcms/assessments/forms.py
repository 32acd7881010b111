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
