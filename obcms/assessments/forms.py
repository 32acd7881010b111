from django import forms
from django.core.exceptions import ValidationError

from obcms.assessments.models import Assessment, Need
from obcms.records.formsets import rows_at_most
from obcms.records.modelforms import ModelForm


class AssessmentForm(ModelForm):
    class Meta:
        model = Assessment
        fields = ["assessed_on", "team", "method", "notes"]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


STALE_ROW = (
    "A need row no longer matches the saved assessment (a hidden field was changed, or "
    "someone else edited it). Reload the page and enter it again."
)


NEEDS_AT_MOST = 100  # one MANA assessment's needs; a community's list, not a census


class BaseNeedFormSet(forms.BaseInlineFormSet):
    """Refuses, visibly, a row whose hidden id is not one of this assessment's needs: Django
    would silently drop that row's changes (its instance is not found, so nothing is saved)."""

    default_error_messages = {
        "too_many_forms": "An assessment takes at most %(num)d needs: group similar ones."
    }

    def clean(self) -> None:
        super().clean()
        for form in self.initial_forms:
            if form.instance.pk is None or form.instance.assessment_id != self.instance.pk:
                raise ValidationError(STALE_ROW, code="stale_row")


NeedFormSet = forms.inlineformset_factory(
    Assessment,
    Need,
    formset=BaseNeedFormSet,
    fields=["sector", "description", "priority", "beneficiaries"],
    widgets={"description": forms.Textarea(attrs={"rows": 2})},
    extra=3,
    can_delete=True,
    **rows_at_most(NEEDS_AT_MOST),
)


class NeedForm(ModelForm):
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
