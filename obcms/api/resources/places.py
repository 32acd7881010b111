"""The PSGC tree, read only: regions, provinces, cities and municipalities, barangays. Each
level names its parent by id, so a client can rebuild the tree or join it to communities."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from django_filters.rest_framework import FilterSet
from rest_framework import serializers

from obcms.api.filtering import ApiFilters
from obcms.api.validation import DescribedSerializer
from obcms.api.viewsets import ReadOnlyRecordViewSet
from obcms.geography.models import Barangay, Municipality, Province, Region

NAME_SEARCH = "Part of the name or the PSGC code."


class PlaceFilter(ApiFilters, FilterSet):
    q = filters.CharFilter(method="search", max_length=100, help_text=NAME_SEARCH)

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(psgc_code__startswith=value))


class RegionSerializer(DescribedSerializer):
    """A region of the PSGC (e.g. Region IX, Zamboanga Peninsula)."""

    class Meta:
        model = Region
        fields = ["id", "psgc_code", "name", "short_name"]


class ProvinceSerializer(DescribedSerializer):
    """A province, or a city PSGC lists at province level; names its region."""

    class Meta:
        model = Province
        fields = ["id", "psgc_code", "name", "region"]


class MunicipalitySerializer(DescribedSerializer):
    """A city or municipality; names its region and province (null for an independent city)."""

    class Meta:
        model = Municipality
        fields = ["id", "psgc_code", "name", "kind", "region", "province"]


class BarangaySerializer(DescribedSerializer):
    """A barangay; names its city or municipality."""

    class Meta:
        model = Barangay
        fields = ["id", "psgc_code", "name", "municipality"]


class ProvinceFilter(PlaceFilter):
    region = filters.ModelChoiceFilter(queryset=Region.objects.all(), help_text="Region id.")

    class Meta:
        model = Province
        fields = ["q", "region"]


class MunicipalityFilter(PlaceFilter):
    region = filters.ModelChoiceFilter(queryset=Region.objects.all(), help_text="Region id.")
    province = filters.ModelChoiceFilter(queryset=Province.objects.all(), help_text="Province id.")
    kind = filters.ChoiceFilter(
        choices=Municipality.Kind.choices, help_text="City or municipality."
    )

    class Meta:
        model = Municipality
        fields = ["q", "region", "province", "kind"]


class BarangayFilter(PlaceFilter):
    municipality = filters.ModelChoiceFilter(
        queryset=Municipality.objects.all(), help_text="City or municipality id."
    )

    class Meta:
        model = Barangay
        fields = ["q", "municipality"]


class RegionFilter(PlaceFilter):
    class Meta:
        model = Region
        fields = ["q"]


class PlaceViewSet(ReadOnlyRecordViewSet):
    """The PSGC places, read only; sorted by PSGC code unless asked otherwise."""

    ordering = "psgc_code"
    ordering_fields = ("psgc_code", "name", "id")


class RegionViewSet(PlaceViewSet):
    """Regions of the PSGC, read only."""

    serializer_class = RegionSerializer
    filterset_class = RegionFilter

    def records(self) -> QuerySet[Region]:
        return Region.objects.all()


class ProvinceViewSet(PlaceViewSet):
    """Provinces of the PSGC, read only."""

    serializer_class = ProvinceSerializer
    filterset_class = ProvinceFilter

    def records(self) -> QuerySet[Province]:
        return Province.objects.all()


class MunicipalityViewSet(PlaceViewSet):
    """Cities and municipalities of the PSGC, read only."""

    serializer_class = MunicipalitySerializer
    filterset_class = MunicipalityFilter

    def records(self) -> QuerySet[Municipality]:
        return Municipality.objects.all()


class BarangayViewSet(PlaceViewSet):
    """Barangays of the PSGC, read only."""

    serializer_class = BarangaySerializer
    filterset_class = BarangayFilter

    def records(self) -> QuerySet[Barangay]:
        return Barangay.objects.all()


class PlaceRef(serializers.Serializer):
    """A place as other records show it: id, PSGC code and name."""

    id = serializers.IntegerField(read_only=True, help_text="Id in /api/v1/places/.")
    psgc_code = serializers.CharField(read_only=True, help_text="The 10-digit PSGC code.")
    name = serializers.CharField(read_only=True, help_text="Name.")
