from django import forms

from obcms.communities.models import Community
from obcms.policies.models import Milestone, Policy
from obcms.records.listing import is_id
from obcms.records.modelforms import ModelForm


class PolicyForm(ModelForm):
    evidence_needs = forms.CharField(
        label="Needs (numbers)",
        required=False,
        help_text="The numbers of the needs it rests on, comma-separated.",
    )

    class Meta:
        model = Policy
        fields = [
            "title",
            "category",
            "scope",
            "regions",
            "communities",
            "agency_addressed",
            "problem",
            "recommendation",
            "expected_impact",
            "assessments",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "expected_impact": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["communities"].queryset = Community.objects.active().only("pk", "name")
        self.fields["assessments"].queryset = self.fields["assessments"].queryset.select_related(
            "community"
        )
        if self.instance.pk:
            self.initial["evidence_needs"] = ", ".join(
                str(pk) for pk in self.instance.needs.values_list("pk", flat=True)
            )

    def clean_evidence_needs(self) -> list[int]:
        from obcms.assessments.models import Need

        raw = [p.strip() for p in self.cleaned_data["evidence_needs"].split(",") if p.strip()]
        if any(not is_id(p) for p in raw):
            raise forms.ValidationError("Give need numbers separated by commas.")
        wanted = {int(p) for p in raw}
        found = set(Need.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - found:
            raise forms.ValidationError(
                f"No need numbered {', '.join(str(p) for p in sorted(wanted - found))}."
            )
        return sorted(wanted)

    def save(self, commit: bool = True) -> Policy:
        policy = super().save(commit)
        if commit:
            policy.needs.set(self.cleaned_data["evidence_needs"])
        return policy


class MilestoneForm(ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "responsible"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}
