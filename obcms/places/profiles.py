"""The figures of a place profile: who lives there, what they can reach, what was assessed and
found, who works there, and what has never been looked at. A fixed number of aggregate queries
whatever the number of communities; the page and the PDF report read the same figures."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from obcms.assessments.models import Assessment
from obcms.communities.models import Community
from obcms.coordination.models import Engagement
from obcms.geography.models import Barangay, Municipality, Province
from obcms.places import records, trends
from obcms.places.access import RATING_LABELS, ServiceAccess, access_from, service_counts
from obcms.places.filters import PlaceFilter, describe_filters
from obcms.places.lookup import PlaceRef
from obcms.places.needs import SectorNeeds, needs_by_sector

NEVER_ASSESSED_SHOWN = 50
ACTIVE_PARTNER_DAYS = 365


def share(part: int, whole: int | None) -> float | None:
    """``part`` as a percentage of ``whole``, to one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class ChildRow:
    name: str
    psgc_code: str
    kind: str
    has_profile: bool
    communities: int
    population: int
    assessed: int
    census: int | None

    @property
    def share(self) -> float | None:
        return share(self.population, self.census)


@dataclass(frozen=True)
class PartnerRow:
    name: str
    engagements: int
    open: int


@dataclass
class Profile:
    place: PlaceRef
    filters: list[str]
    communities: int
    population: int
    households: int
    verified: int
    assessed_communities: int
    groups: list[tuple[str, int]]
    services: list[ServiceAccess]
    assessments: list[tuple[str, int]]
    needs: list[SectorNeeds]
    partners: list[PartnerRow]
    never_assessed: list[tuple[int, str, str, str]]
    children_label: str
    children: list[ChildRow]
    trends: dict = field(default_factory=dict)

    @property
    def census_population(self) -> int | None:
        return self.place.place.population

    @property
    def share(self) -> float | None:
        """OBC people as a share of the place's 2024 census population."""
        return share(self.population, self.census_population)

    @property
    def rating_labels(self) -> tuple[str, ...]:
        """The headings of each service's ratings distribution (``services[i].ratings``)."""
        return RATING_LABELS

    @property
    def never_assessed_count(self) -> int:
        return self.communities - self.assessed_communities

    @property
    def needs_total(self) -> int:
        return sum(row.total for row in self.needs)


def place_communities(place: PlaceRef, filters: PlaceFilter) -> QuerySet[Community]:
    """The communities a profile (and its PDF) counts: in the place, through the filters."""
    return filters.applied_to(records.communities().filter(place.communities_filter()))


def assessed() -> Exists:
    """True for a (current) community with at least one current assessment."""
    return Exists(records.assessments_of(OuterRef("pk")))


def compute(place: PlaceRef, filters: PlaceFilter, with_trends: bool = True) -> Profile:
    """The profile in a fixed number of queries, each reading the place's communities once:
    its first view after any change computes all of them (obcms/records/figures.py)."""
    communities = place_communities(place, filters)
    groups_through = Community.ethnolinguistic_groups.through
    label, places, key, group = child_places(place)
    # Totals, access to services and the places one level down: one pass over the rows,
    # grouped by place and summed here, instead of one pass each.
    towns = list(
        communities.order_by()
        .values(key, group)
        .annotate(
            communities=Count("pk"),
            population=Sum("population"),
            households=Sum("households"),
            verified=Count("pk", filter=Q(verification=Community.Verification.VERIFIED)),
            assessed=Count("pk", filter=Q(assessed())),
            no_group=Count(
                "pk", filter=~Q(Exists(groups_through.objects.filter(community=OuterRef("pk"))))
            ),
            **service_counts(),
        )
    )
    totals = {
        name: sum(town[name] or 0 for town in towns)
        for name in ("communities", "population", "households", "verified", "assessed")
    }
    groups = list(
        groups_through.objects.filter(community__in=communities)
        .values("ethnolinguisticgroup__name")
        .annotate(n=Count("community_id", distinct=True))
        .order_by("-n", "ethnolinguisticgroup__name")
        .values_list("ethnolinguisticgroup__name", "n")
    )
    no_group = sum(town["no_group"] for town in towns)
    if no_group:
        groups.append(("Not recorded", no_group))
    place_assessments = records.assessments_of(communities)
    assessment_rows = trends.assessment_rows(place_assessments)  # by status, and the charts'
    by_status: dict[str, int] = {}
    for status, _, _, n in assessment_rows:
        by_status[status] = by_status.get(status, 0) + n
    since = timezone.localdate() - timedelta(days=ACTIVE_PARTNER_DAYS)
    partners = (
        records.engagements_of(communities)
        .filter(~Q(status=Engagement.Status.COMPLETED) | Q(engaged_on__gte=since))
        .values("partner__name")
        .annotate(n=Count("pk"), open=Count("pk", filter=~Q(status=Engagement.Status.COMPLETED)))
        .order_by("-n", "partner__name")
    )
    never = (
        communities.filter(~Q(assessed()))
        .order_by("name", "pk")
        .values_list("pk", "name", "barangay__name", "municipality__name")[:NEVER_ASSESSED_SHOWN]
    )
    return Profile(
        place=place,
        filters=describe_filters(filters),
        communities=totals["communities"],
        population=totals["population"],
        households=totals["households"],
        verified=totals["verified"],
        assessed_communities=totals["assessed"],
        groups=groups,
        services=access_from(
            {name: sum(town[name] for town in towns) for name in service_counts()},
            totals["communities"],
        ),
        assessments=[
            (label, by_status.get(value, 0)) for value, label in Assessment.Status.choices
        ],
        needs=needs_by_sector(records.needs_of(place_assessments)),
        partners=[PartnerRow(p["partner__name"], p["n"], p["open"]) for p in partners],
        never_assessed=list(never),
        children_label=label,
        children=child_rows(places, key, group, towns),
        trends=trends.compute(communities, assessments=assessment_rows) if with_trends else {},
    )


def child_places(place: PlaceRef) -> tuple[str, list[tuple[str, str, str, int | None]], str, str]:
    """The places one level down (name, PSGC code, kind, census population), their heading,
    and the two community fields that find each community's child: a region's independent
    cities are under no province, so a community counts for its province's code or else
    for its municipality's."""
    if place.level == "region":
        places = [
            (p.name, p.psgc_code, "Province", p.population)
            for p in Province.objects.filter(region=place.place).order_by("name")
        ] + [
            (m.name, m.psgc_code, m.get_kind_display(), m.population)
            for m in Municipality.objects.filter(region=place.place, province=None).order_by("name")
        ]
        return (
            "Provinces and independent cities",
            places,
            "municipality__province__psgc_code",
            "municipality__psgc_code",
        )
    if place.level == "province":
        places = [
            (m.name, m.psgc_code, m.get_kind_display(), m.population)
            for m in Municipality.objects.filter(province=place.place).order_by("name")
        ]
        return (
            "Cities and municipalities",
            places,
            "municipality__psgc_code",
            "municipality__psgc_code",
        )
    places = [
        (b.name, b.psgc_code, "Barangay", b.population)
        for b in Barangay.objects.filter(municipality=place.place).order_by("name")
    ]
    return "Barangays", places, "barangay__psgc_code", "barangay__psgc_code"


def child_rows(
    places: list[tuple[str, str, str, int | None]], key: str, group: str, towns: list[dict]
) -> list[ChildRow]:
    """Each child place with its communities, people and assessed communities, summed from
    the rows grouped by ``key`` and ``group`` (``child_places``)."""
    figures: dict[str, list[int]] = {}
    for row in towns:
        code = row[key] or row[group]  # an independent city counts for itself
        total = figures.setdefault(code, [0, 0, 0])
        total[0] += row["communities"]
        total[1] += row["population"] or 0
        total[2] += row["assessed"]
    return [
        ChildRow(
            name=name,
            psgc_code=code,
            kind=kind,
            has_profile=kind != "Barangay",
            communities=figures.get(code, [0])[0],
            population=figures.get(code, [0, 0])[1],
            assessed=figures.get(code, [0, 0, 0])[2],
            census=population,
        )
        for name, code, kind, population in places
    ]


@dataclass(frozen=True)
class CommunityRow:
    name: str
    barangay: str
    municipality: str
    population: int | None
    groups: str
    verification: str
    last_assessed: str


def community_rows(communities: QuerySet[Community]) -> Iterator[CommunityRow]:
    """Every community of ``communities`` for the PDF's table, by municipality, barangay and
    name: rows in chunks, their groups and latest assessment in one query each per chunk."""
    verification = dict(Community.Verification.choices)
    rows = communities.order_by("municipality__name", "barangay__name", "name", "pk").values_list(
        "pk", "name", "barangay__name", "municipality__name", "population", "verification"
    )
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=2000):
        chunk.append(row)
        if len(chunk) == 2000:
            yield from _with_details(chunk, verification)
            chunk = []
    yield from _with_details(chunk, verification)


def _with_details(chunk: list[tuple], verification: dict[str, str]) -> Iterator[CommunityRow]:
    if not chunk:
        return
    ids = [row[0] for row in chunk]
    groups: dict[int, list[str]] = {}
    links = (
        Community.ethnolinguistic_groups.through.objects.filter(community_id__in=ids)
        .order_by("ethnolinguisticgroup__name")
        .values_list("community_id", "ethnolinguisticgroup__name")
    )
    for community_id, name in links:
        groups.setdefault(community_id, []).append(name)
    latest = dict(
        records.assessments()
        .filter(community_id__in=ids)
        .order_by()
        .values("community_id")
        .annotate(last=Max("assessed_on"))
        .values_list("community_id", "last")
    )
    for pk, name, barangay, municipality, population, status in chunk:
        last = latest.get(pk)
        yield CommunityRow(
            name=name,
            barangay=barangay,
            municipality=municipality,
            population=population,
            groups=", ".join(groups.get(pk, ())),
            verification=verification.get(status, status),
            last_assessed=last.strftime("%d %b %Y") if last else "never",
        )
