"""The meeting form, with its action items edited on the same page (an inline formset)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from obcms.communities.models import Community
from obcms.coordination.models import Partner
from obcms.meetings.models import ActionItem, Meeting
from obcms.records.formsets import rows_at_most
from obcms.records.listing import PlainSelect
from obcms.records.modelforms import ModelForm

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends, in Asia/Manila


class PlainSelectMultiple(PlainSelect, forms.SelectMultiple):
    """PlainSelect's one-query, Python-rendered options for a multiple choice: the
    communities select lists every current community, thousands of options."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        return super().render(name, value, {**(attrs or {}), "multiple": True}, renderer)


def _moment() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)


class MeetingForm(ModelForm):
    online_link = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = [
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "venue",
            "online_link",
            "partners",
            "communities",
            "participants",
            "participants_female",
            "participants_male",
            "agenda",
            "minutes",
        ]
        widgets = {
            "starts_at": _moment(),
            "ends_at": _moment(),
            "partners": PlainSelectMultiple(attrs={"size": 6}),
            "communities": PlainSelectMultiple(attrs={"size": 10}),
            "participants": forms.Textarea(attrs={"rows": 4}),
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {"starts_at": "Philippine time.", "ends_at": "Philippine time."}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        chosen = {"partners": [], "communities": []}
        if self.instance.pk:
            chosen = {
                "partners": list(self.instance.partners.values_list("pk", flat=True)),
                "communities": list(self.instance.communities.values_list("pk", flat=True)),
            }
        # Current records, and whatever the meeting already names (even if archived since).
        self.fields["partners"].queryset = Partner.objects.filter(
            pk__in=Partner.objects.active().filter(is_active=True).values("pk")
        ) | Partner.objects.filter(pk__in=chosen["partners"])
        self.fields["communities"].queryset = (
            Community.objects.filter(pk__in=Community.objects.active().values("pk"))
            | Community.objects.filter(pk__in=chosen["communities"])
        ).order_by("name")


class ActionItemForm(ModelForm):
    class Meta:
        model = ActionItem
        fields = ["what", "assignee", "assignee_name", "due_on", "done"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Active staff (anyone with a role), and the current assignee even if they left. The
        # staff are a subquery: joined through their groups they would need ``.distinct()``,
        # and Django refuses to ``|`` a distinct queryset with a plain one.
        users = get_user_model().objects
        chosen = Q(pk__in=users.filter(is_active=True, groups__isnull=False).values("pk"))
        current = getattr(self.instance, "assignee_id", None)
        if current:
            chosen |= Q(pk=current)
        self.fields["assignee"].queryset = users.filter(chosen).order_by("first_name", "username")
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username


ACTIONS_AT_MOST = 100  # one meeting's action items


class BaseActionItemFormSet(forms.BaseInlineFormSet):
    default_error_messages = {
        "too_many_forms": "A meeting takes at most %(num)d action items: group similar ones."
    }


ActionItemFormSet = forms.inlineformset_factory(
    Meeting,
    ActionItem,
    form=ActionItemForm,
    formset=BaseActionItemFormSet,
    extra=2,
    can_delete=True,
    **rows_at_most(ACTIONS_AT_MOST),
)
