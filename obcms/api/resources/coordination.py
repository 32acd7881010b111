"""Partners (BARMM ministries, LGUs, agencies, NGOs) and their engagements with communities."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers

from obcms.api.validation import FormValidatedSerializer
from obcms.api.viewsets import RecordFilterSet, RecordViewSet
from obcms.communities.models import Community
from obcms.coordination.forms import EngagementForm, PartnerForm
from obcms.coordination.models import Engagement, Partner


class PartnerSerializer(FormValidatedSerializer):
    """A partner: a BARMM ministry, LGU, national agency, NGO or development partner."""

    # Text, so the form's rule applies as on the page: "example.org" becomes https://example.org.
    website = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Web address."
    )

    class Meta:
        model = Partner
        form = PartnerForm
        fields = ["id", *PartnerForm.Meta.fields]


class EngagementSerializer(FormValidatedSerializer):
    """An engagement of a partner with a community, with its follow-up and outcome."""

    community = serializers.PrimaryKeyRelatedField(
        queryset=Community.objects.all(), help_text="The community engaged with."
    )

    class Meta:
        model = Engagement
        form = EngagementForm
        fields = ["id", "community", *EngagementForm.Meta.fields]


class PartnerFilter(RecordFilterSet):
    """The partner list page's filter (kind), and a search."""

    q = filters.CharFilter(
        method="search", max_length=100, help_text="Words in the name or acronym."
    )
    kind = filters.ChoiceFilter(choices=Partner.Kind.choices, help_text="Kind of partner.")

    class Meta:
        model = Partner
        fields = ["q", "kind"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))


class EngagementFilter(RecordFilterSet):
    partner = filters.ModelChoiceFilter(queryset=Partner.objects.all(), help_text="Partner id.")
    community = filters.ModelChoiceFilter(
        queryset=Community.objects.all(), help_text="Community id."
    )
    status = filters.ChoiceFilter(choices=Engagement.Status.choices, help_text="Status.")
    follow_up_from = filters.DateFilter(
        field_name="follow_up_on", lookup_expr="gte", help_text="Follow-up on or after (date)."
    )
    follow_up_to = filters.DateFilter(
        field_name="follow_up_on", lookup_expr="lte", help_text="Follow-up on or before (date)."
    )

    class Meta:
        model = Engagement
        fields = ["partner", "community", "status", "follow_up_from", "follow_up_to"]


class PartnerViewSet(RecordViewSet):
    """Partners OOBC works with. Encoders and administrators add and change them."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    ordering_fields = ("id", "name")

    def records(self) -> QuerySet[Partner]:
        return Partner.objects.all()


class EngagementViewSet(RecordViewSet):
    """Engagements of partners with communities. Encoders and administrators add and change
    them."""

    serializer_class = EngagementSerializer
    filterset_class = EngagementFilter
    ordering_fields = ("id", "engaged_on")

    def records(self) -> QuerySet[Engagement]:
        return Engagement.objects.all()

    def save_new(self, serializer: EngagementSerializer) -> None:
        serializer.save(created_by=self.request.user)
