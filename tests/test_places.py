"""Where the communities are: the map's markers, the place profiles and the charts over time."""

import gzip
import json
import shlex
from datetime import date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obcms.assessments.models import Assessment, Need
from obcms.communities.filters import CommunityFilter
from obcms.communities.models import Community, EthnolinguisticGroup, Rating
from obcms.coordination.models import Engagement, Partner
from obcms.db.shared_cache import forget
from obcms.geography.models import Barangay, Municipality
from obcms.maptiles import tile_origin, tile_url_error
from obcms.places import trends
from obcms.records.figures import FIGURES
from tests.support import factories
from tests.support.processes import base_env, run

pytestmark = pytest.mark.django_db

MARKERS = "/map/markers.json"


def markers(client, params: dict | None = None) -> dict[int, dict]:
    """The endpoint's answer (one list per field) as one dict per community, by id, with
    the codes read through the answer's labels and the coordinates in degrees."""
    response = client.get(MARKERS, params or {}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    data = json.loads(gzip.decompress(response.content))
    assert data["unplaced"] == data["lat"].count(None)
    return {
        pk: {
            "lat": data["lat"][i] / data["scale"],
            "lng": data["lng"][i] / data["scale"],
            "name": data["name"][i],
            "place": data["places"][data["place"][i]],  # barangay, town, town's PSGC code
            "population": data["population"][i],
            "verification": data["verification_labels"][data["verification"][i]],
            "needs": data["needs_labels"][data["needs"][i]],
        }
        for i, pk in enumerate(data["id"])
    }


# The marker endpoint ---------------------------------------------------------------------------


def test_the_marker_endpoint_refuses_anonymous_users_and_users_without_a_role(client):
    factories.community()
    response = client.get(MARKERS)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password="a-long-test-password")
    client.force_login(nobody)
    assert client.get(MARKERS).status_code == 403
    assert client.get("/map/").status_code == 403
    client.force_login(factories.user("viewer"))
    assert len(markers(client)) == 1


@pytest.fixture
def spread(db):
    """Communities in two regions, of two groups, in every verification state."""
    maranao = EthnolinguisticGroup.objects.get(name="Maranao")
    tausug = EthnolinguisticGroup.objects.get(name="Tausug")
    places = [factories.place("IX"), factories.place("IX"), factories.place("XII")]
    states = Community.Verification.values
    for i in range(18):
        community = factories.community(
            name=f"Sitio {i} Ñ",
            barangay=places[i % 3],
            verification=states[i % 3],
            population=100 + i,
        )
        community.ethnolinguistic_groups.add(maranao if i % 2 else tausug)
    return places


def test_the_markers_are_exactly_the_communities_of_the_lists_filter(client, spread):
    client.force_login(factories.user("viewer"))
    province = spread[0].municipality.province
    town, other = spread[2].municipality, spread[1].municipality.province
    cases = [
        ({}, {}),
        ({"region": str(province.region_id)}, {}),
        ({"province": str(province.pk)}, {}),
        ({"group": str(EthnolinguisticGroup.objects.get(name="Maranao").pk)}, {}),
        ({"verification": "verified", "region": str(province.region_id)}, {}),
        ({"q": "Sitio 1"}, {}),
        ({"place": town.psgc_code}, {"municipality": town}),
        (
            {"place": other.psgc_code, "verification": "verified"},
            {"municipality__province": other},
        ),
    ]
    for params, place in cases:
        expected = CommunityFilter(params, queryset=Community.objects.filter(**place)).qs
        got = sorted(markers(client, params))
        assert got == sorted(expected.values_list("pk", flat=True)), params
        assert got, params  # every case matches some communities: none passes by being empty


def test_a_community_without_coordinates_is_placed_at_its_barangay(client):
    barangay = factories.place("X")
    barangay.latitude, barangay.longitude = "8.228000", "124.245000"
    barangay.save()
    own = factories.community(barangay=barangay, latitude="8.230001", longitude="124.250002")
    placed = factories.community(barangay=barangay)
    client.force_login(factories.user("viewer"))
    data = markers(client)
    where = {pk: (row["lat"], row["lng"]) for pk, row in data.items()}
    assert where == {own.pk: (8.23, 124.25), placed.pk: (8.228, 124.245)}
    assert data[placed.pk] == {
        "lat": 8.228,
        "lng": 124.245,
        "name": placed.name,
        "place": [barangay.name, barangay.municipality.name, barangay.municipality.psgc_code],
        "population": None,
        "verification": "Unverified",
        "needs": "Never assessed",
    }


def test_needs_status_of_a_marker_follows_the_communitys_assessments(client):
    never, identified, validated = (factories.community() for _ in range(3))
    Assessment.objects.create(
        community=identified, assessed_on="2026-01-05", team="T", method="survey"
    )
    for status in ("draft", "validated"):
        Assessment.objects.create(
            community=validated, assessed_on="2026-01-05", team="T", method="survey", status=status
        )
    client.force_login(factories.user("viewer"))
    status = {pk: row["needs"] for pk, row in markers(client).items()}
    assert status == {
        never.pk: "Never assessed",
        identified.pk: "Needs identified",
        validated.pk: "Needs validated",
    }


def test_the_marker_endpoint_costs_the_same_queries_for_5_or_50_communities(client):
    client.force_login(factories.user("viewer"))
    factories.communities_in_one_barangay(5)
    client.get(MARKERS)  # the permissions remembered, as on any later request
    few = factories.queries_for(client, MARKERS)
    factories.communities_in_one_barangay(45, "IX")
    assert factories.queries_for(client, MARKERS) == few


# The map page and its Content-Security-Policy --------------------------------------------------


def csp(response) -> dict[str, str]:
    return dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )


def test_the_map_page_allows_images_from_exactly_the_configured_tile_host(client, settings):
    settings.MAP_TILES_URL = "https://tiles.example.org:8443/osm/{z}/{x}/{y}{r}.png?key=k"
    client.force_login(factories.user("viewer"))
    response = client.get("/map/")
    policy = csp(response)
    assert policy["img-src"] == "'self' data: https://tiles.example.org:8443"
    assert policy["script-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    page = response.content.decode()
    assert 'data-tiles="https://tiles.example.org:8443/osm/{z}/{x}/{y}{r}.png?key=k"' in page
    assert "<script>" not in page and "unpkg" not in page and "cdn" not in page.lower()


def test_openstreetmap_is_the_default_tile_server_with_its_credit(client):
    client.force_login(factories.user("viewer"))
    response = client.get("/map/")
    assert csp(response)["img-src"] == "'self' data: https://tile.openstreetmap.org"
    assert "OpenStreetMap</a> contributors" in response.content.decode().replace(
        "&lt;/a&gt;", "</a>"
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("http://tile.example.org/{z}/{x}/{y}.png", "https only"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "one fixed host"),
        ("https://tile.example.org/{z}/{x}.png", "with {z}, {x} and {y}"),
        ("https://tile.example.org/{z}/{x}/{y}/{token}.png", "no other placeholders"),
        ("https://tile.example.org:99999/{z}/{x}/{y}.png", "malformed"),
        ("tile.example.org/{z}/{x}/{y}.png", "https only"),
    ],
)
def test_a_tile_url_that_the_csp_cannot_allow_exactly_is_refused(value, error):
    assert error in tile_url_error(value)


def test_tile_origin_is_scheme_host_and_port():
    assert tile_url_error("https://a.example.org/t/{z}/{x}/{y}.png") is None
    assert tile_origin("https://a.example.org/t/{z}/{x}/{y}.png") == "https://a.example.org"


@pytest.mark.django_db(databases=[])
def test_a_malformed_map_tiles_url_stops_the_processes_with_one_line(tmp_path):
    result = run(
        shlex.join(["python", "manage.py", "check"]),
        base_env(DEBUG="true", DATA_DIR=str(tmp_path), MAP_TILES_URL="http://x.org/{z}/{x}/{y}"),
    )
    assert result.returncode == 1
    assert "obcms: MAP_TILES_URL: expected an https URL template like" in result.stderr
    assert "Traceback" not in result.stderr


# Place profiles --------------------------------------------------------------------------------


@pytest.fixture
def province_data(db):
    """One province of Region IX with two towns, communities with everything a profile counts;
    one community in another province and one in Region XII that must not be counted."""
    first = factories.place("IX")
    province = first.municipality.province
    province.population = 40_000
    province.save()
    second_town = Municipality.objects.create(
        psgc_code=factories.code("09"),
        name="Dumingag",
        kind="municipality",
        region=province.region,
        province=province,
        population=20_000,
    )
    second = Barangay.objects.create(
        psgc_code=factories.code("09"), name="Caridad", municipality=second_town
    )
    maranao = EthnolinguisticGroup.objects.get(name="Maranao")
    subanen = EthnolinguisticGroup.objects.get_or_create(name="Subanen")[0]
    partner = Partner.objects.create(name="MSSD", kind="barmm")
    old_partner = Partner.objects.create(name="Old Friends", kind="ngo")
    today = timezone.localdate()
    made = []
    for i in range(12):
        community = factories.community(
            name=f"Purok {i}",
            barangay=first if i < 7 else second,
            population=None if i == 3 else 100 * (i + 1),
            households=None if i == 4 else 10 + i,
            verification="verified" if i % 3 == 0 else "unverified",
            access_formal_education=[*Rating.values, ""][i % 7],
            access_potable_water=Rating.FAIR if i % 2 == 0 else Rating.NONE,
        )
        if i % 4:
            community.ethnolinguistic_groups.add(maranao)
        if i % 5 == 0:
            community.ethnolinguistic_groups.add(subanen)
        made.append(community)
    for i, community in enumerate(made[:8]):
        assessment = Assessment.objects.create(
            community=community,
            assessed_on=today - timedelta(days=30 * i),
            team="T",
            method="survey",
            status=Assessment.Status.values[i % 3],
        )
        for sector, priority in [("wash", 1 + i % 3), ("health", 1), ("education", 3)][: 1 + i % 3]:
            Need.objects.create(
                assessment=assessment,
                sector=sector,
                description="x",
                priority=priority,
                beneficiaries=10 * i if i % 2 else None,
            )
    Engagement.objects.create(
        partner=partner, community=made[0], title="a", engaged_on=today, status="ongoing"
    )
    Engagement.objects.create(
        partner=partner, community=made[9], title="b", engaged_on=today, status="completed"
    )
    Engagement.objects.create(
        partner=old_partner,
        community=made[1],
        title="c",
        engaged_on=today - timedelta(days=800),
        status="completed",
    )
    outside = factories.community(name="Elsewhere", population=999)  # another province of IX
    Assessment.objects.create(community=outside, assessed_on=today, team="T", method="survey")
    factories.community(name="Far away", barangay=factories.place("XII"), population=5)
    return province


IN_PLACE = {
    "region": "m.region_id = %s",
    "province": "m.province_id = %s",
    "municipality": "m.id = %s",
}


def sql(query: str, level: str, *params) -> list[tuple]:
    """Run ``query`` with ``{communities}`` standing for the communities of the place."""
    communities = (
        "SELECT c.id FROM communities_community c "  # noqa: S608 - IN_PLACE's constants
        f"JOIN geography_municipality m ON m.id = c.municipality_id WHERE {IN_PLACE[level]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query.format(communities=communities), params)
        return [tuple(row) for row in cursor.fetchall()]


def sql_profile(level: str, pk: int) -> dict:
    """The profile's figures counted again, in hand-written SQL."""
    (totals,) = sql(
        "SELECT COUNT(*), COALESCE(SUM(population), 0), COALESCE(SUM(households), 0), "
        "SUM(CASE WHEN verification = 'verified' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN access_potable_water NOT IN ('', 'none') THEN 1 ELSE 0 END) "
        "FROM communities_community WHERE id IN ({communities})",
        level,
        pk,
    )
    education = sql(
        "SELECT access_formal_education, COUNT(*) FROM communities_community "
        "WHERE id IN ({communities}) GROUP BY access_formal_education",
        level,
        pk,
    )
    groups = sql(
        "SELECT g.name, COUNT(DISTINCT l.community_id) FROM "
        "communities_community_ethnolinguistic_groups l "
        "JOIN communities_ethnolinguisticgroup g ON g.id = l.ethnolinguisticgroup_id "
        "WHERE l.community_id IN ({communities}) GROUP BY g.name",
        level,
        pk,
    )
    (grouped,) = sql(
        "SELECT COUNT(DISTINCT community_id) FROM communities_community_ethnolinguistic_groups "
        "WHERE community_id IN ({communities})",
        level,
        pk,
    )
    statuses = sql(
        "SELECT status, COUNT(*) FROM assessments_assessment "
        "WHERE community_id IN ({communities}) GROUP BY status",
        level,
        pk,
    )
    (assessed,) = sql(
        "SELECT COUNT(DISTINCT community_id) FROM assessments_assessment "
        "WHERE community_id IN ({communities})",
        level,
        pk,
    )
    needs = sql(
        "SELECT n.sector, n.priority, COUNT(*), COALESCE(SUM(n.beneficiaries), 0) "
        "FROM assessments_need n JOIN assessments_assessment a ON a.id = n.assessment_id "
        "WHERE a.community_id IN ({communities}) GROUP BY n.sector, n.priority",
        level,
        pk,
    )
    partners = sql(
        "SELECT p.name, COUNT(*) FROM coordination_engagement e "
        "JOIN coordination_partner p ON p.id = e.partner_id "
        "WHERE e.community_id IN ({communities}) "
        "AND (e.status <> 'completed' OR e.engaged_on >= %s) GROUP BY p.name",
        level,
        pk,
        timezone.localdate() - timedelta(days=365),
    )
    never = sql(
        "SELECT name FROM communities_community c WHERE id IN ({communities}) AND NOT EXISTS "
        "(SELECT 1 FROM assessments_assessment a WHERE a.community_id = c.id) ORDER BY name",
        level,
        pk,
    )
    return {
        "totals": totals,
        "education": dict(education),
        "groups": dict(groups),
        "grouped": grouped[0],
        "statuses": dict(statuses),
        "assessed": assessed[0],
        "needs": needs,
        "partners": dict(partners),
        "never": [name for (name,) in never],
    }


@pytest.mark.parametrize("level", ["province", "municipality", "region"])
def test_the_place_profile_figures_equal_the_same_counts_made_in_sql(client, province_data, level):
    town = Municipality.objects.get(name="Dumingag")
    place = {"province": province_data, "municipality": town, "region": province_data.region}[level]
    client.force_login(factories.user("viewer"))
    response = client.get(f"/places/{place.psgc_code}/")
    assert response.status_code == 200
    profile = response.context["profile"]
    expected = sql_profile(level, place.pk)
    count, people, households, verified, water_yes = expected["totals"]
    assert (profile.communities, profile.population, profile.households, profile.verified) == (
        count,
        people,
        households,
        verified,
    )
    assert count >= 5  # the fixture's data reaches every level
    services = {row.service: row for row in profile.services}
    education, water = services["Formal education"], services["Potable water"]
    rated = expected["education"]
    assert dict(zip(profile.rating_labels, education.ratings, strict=True)) == {
        rating.label: rated.get(rating.value, 0) for rating in Rating
    }
    assert education.unknown == rated.get("", 0) == count - sum(education.ratings)
    assert education.without_access == rated.get("none", 0)
    assert education.with_access == count - rated.get("none", 0) - rated.get("", 0)
    assert water.with_access == water_yes
    groups = dict(profile.groups)
    no_group = groups.pop("Not recorded", 0)
    assert groups == expected["groups"]
    assert no_group == count - expected["grouped"]
    labels = dict(Assessment.Status.choices)
    assert dict(profile.assessments) == {
        labels[status]: expected["statuses"].get(status, 0) for status in labels
    }
    assert profile.assessed_communities == expected["assessed"]
    assert profile.never_assessed_count == len(expected["never"])
    assert [name for _, name, _, _ in profile.never_assessed] == expected["never"]
    sectors = dict(Need.Sector.choices)
    counted = {}
    for sector, priority, n, beneficiaries in expected["needs"]:
        row = counted.setdefault(sectors[sector], [0, 0, 0, 0])
        row[priority - 1] += n
        row[3] += beneficiaries
    assert {
        row.sector: [row.high, row.medium, row.low, row.beneficiaries] for row in profile.needs
    } == counted
    assert {row.name: row.engagements for row in profile.partners} == expected["partners"]
    children = {row.psgc_code: row for row in profile.children}
    child, child_level = {
        "region": (province_data, "province"),
        "province": (town, "municipality"),
        "municipality": (None, None),
    }[level]
    if child:
        assert children[child.psgc_code].communities == len(
            sql("{communities}", child_level, child.pk)
        )
    share = round(100 * people / place.population, 1) if place.population else None
    assert profile.share == share


def test_the_profile_follows_the_lists_filters_and_says_which(client, province_data):
    maranao = EthnolinguisticGroup.objects.get(name="Maranao")
    client.force_login(factories.user("viewer"))
    response = client.get(
        f"/places/{province_data.psgc_code}/", {"group": maranao.pk, "verification": "verified"}
    )
    profile = response.context["profile"]
    expected = Community.objects.filter(
        municipality__province=province_data,
        ethnolinguistic_groups=maranao,
        verification="verified",
    )
    assert profile.communities == expected.count() > 0
    assert profile.filters == ["Ethnolinguistic group: Maranao", "Verification: Verified"]
    assert "Filtered: Ethnolinguistic group: Maranao; Verification: Verified." in (
        response.content.decode()
    )


def test_a_profile_costs_the_same_queries_for_5_or_50_communities(client):
    client.force_login(factories.user("viewer"))
    barangay = factories.place("XII")
    province = barangay.municipality.province
    for i in range(5):
        factories.community(name=f"A {i}", barangay=barangay)
    client.get(f"/places/{province.psgc_code}/")  # the permissions remembered
    few = factories.queries_for(client, f"/places/{province.psgc_code}/")
    for i in range(45):
        c = factories.community(name=f"B {i}", barangay=barangay)
        Assessment.objects.create(community=c, assessed_on="2026-01-05", team="T", method="survey")
    assert factories.queries_for(client, f"/places/{province.psgc_code}/") == few


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("12345", 400),
        ("\uff10\uff19" + "\uff10" * 8, 400),  # full-width digits
        ("0900000000²", 400),
        ("1999999999", 404),
    ],
)
def test_an_odd_or_unknown_psgc_code_is_a_400_or_404_page(client, code, status):
    client.force_login(factories.user("viewer"))
    assert client.get(f"/places/{code}/").status_code == status


def test_a_barangays_code_has_no_profile(client):
    barangay = factories.place()
    client.force_login(factories.user("viewer"))
    assert client.get(f"/places/{barangay.psgc_code}/").status_code == 404


def test_places_are_linked_from_the_list_the_dashboard_and_the_community_page(client):
    c = factories.community()
    town = c.municipality
    client.force_login(factories.user("viewer"))
    for url in ("/communities/", c.get_absolute_url(), "/places/"):
        page = client.get(url).content.decode()
        assert f"/places/{town.province.psgc_code}/" in page, url
    from obcms.reports.tasks import refresh_statistics

    refresh_statistics()
    assert f"/places/{town.region.psgc_code}/" in client.get("/").content.decode()


def test_an_archived_community_leaves_the_markers_and_the_place_profile(client):
    barangay = factories.place("IX")
    kept = factories.community(name="Kept", barangay=barangay, population=10)
    gone = factories.community(
        name="Archived Twin", barangay=barangay, population=500, verification="verified"
    )
    for community in (kept, gone):
        factories.assessment(of=community)
    factories.engagement(of=gone, by=factories.partner("Only With The Twin"), status="ongoing")
    administrator = factories.user("administrator")
    gone.archive(administrator, "Registered twice.")
    factories.assessment(of=kept, team="Entered twice").archive(administrator, "A duplicate.")
    client.force_login(factories.user("viewer"))

    assert sorted(markers(client)) == [kept.pk]
    # The list's archived filter means the same on the map: none of them is on it.
    assert markers(client, {"archived": "archived"}) == {}
    page = client.get("/map/", {"archived": "archived"}).content.decode()
    assert "Archived communities are never on the map" in page
    assert "Archived Twin" in client.get("/communities/", {"archived": "archived"}).content.decode()

    town = barangay.municipality
    response = client.get(f"/places/{town.psgc_code}/")
    profile = response.context["profile"]
    figures = (profile.communities, profile.population, profile.verified)
    assert figures == (1, 10, 0)
    assert profile.assessed_communities == 1 and sum(n for _, n in profile.assessments) == 1
    assert profile.needs_total == 1 and profile.partners == []
    assert [row.communities for row in profile.children if row.communities] == [1]
    assert sum(row.unknown + sum(row.ratings) for row in profile.services) == 9  # one each
    assert "Archived Twin" not in response.content.decode()


# Charts over time ------------------------------------------------------------------------------


def test_charts_count_registrations_verifications_and_assessments_per_period():
    today = date(2026, 6, 15)
    old, recent = factories.community(), factories.community(verification="verified")
    Community.objects.filter(pk=old.pk).update(
        created_at=timezone.make_aware(datetime(2026, 2, 10, 9))
    )
    Community.objects.filter(pk=recent.pk).update(
        created_at=timezone.make_aware(datetime(2026, 5, 31, 23, 30))  # Manila time
    )
    # Verified on its page in April (auditlog's entry), and one whose verification came over
    # from the old history in March (labels, not values).
    old.refresh_from_db()  # its registration date above, not the one it was created with
    old.verification = Community.Verification.VERIFIED
    old.save()
    LogEntry.objects.filter(object_id=old.pk, action=LogEntry.Action.UPDATE).update(
        timestamp=timezone.make_aware(datetime(2026, 4, 2, 8))
    )
    carried = factories.community(verification="verified")
    Community.objects.filter(pk=carried.pk).update(
        created_at=timezone.make_aware(datetime(2025, 1, 10, 9))  # before the chart's year
    )
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Community),
        object_pk=str(carried.pk),
        object_id=carried.pk,
        object_repr=carried.name,
        action=LogEntry.Action.UPDATE,
        changes={"verification": ["Unverified", "Verified"]},
        timestamp=timezone.make_aware(datetime(2026, 3, 5, 8)),
    )
    Assessment.objects.create(community=old, assessed_on="2026-01-05", team="T", method="survey")
    Assessment.objects.create(
        community=recent,
        assessed_on="2026-04-20",
        team="T",
        method="survey",
        status="validated",
        validated_at=timezone.make_aware(datetime(2026, 5, 2, 8)),
    )
    data = trends.compute(Community.objects.all(), today=today)
    months = dict(
        zip(
            data["communities"]["labels"],
            zip(*(s["values"] for s in data["communities"]["series"]), strict=True),
            strict=True,
        )
    )
    assert len(months) == 12 and data["communities"]["labels"][-1] == "Jun 2026"
    assert months["Feb 2026"] == (1, 0)
    assert months["Mar 2026"] == (0, 1)  # verified in the history carried over
    assert months["Apr 2026"] == (0, 1)  # verified through the profile's history
    assert months["May 2026"] == (1, 1)  # created verified, no history: its registration month
    assert sum(v for _, v in months.values()) == 3
    quarters = dict(
        zip(
            data["assessments"]["labels"],
            zip(*(s["values"] for s in data["assessments"]["series"]), strict=True),
            strict=True,
        )
    )
    assert quarters["Q1 2026"] == (1, 0) and quarters["Q2 2026"] == (1, 1)
    assert data["needs_met"]["series"] == [] and data["needs_met"]["missing"]


def test_a_chart_is_drawn_as_svg_with_patterns_a_legend_and_its_numbers_in_a_table(client):
    factories.community()
    from obcms.reports.tasks import refresh_statistics

    refresh_statistics()
    client.force_login(factories.user("viewer"))
    page = client.get("/").content.decode()
    chart = page[page.index('<figure class="chart" id="dashboard-communities">') :]
    chart = chart[: chart.index("</figure>")]
    assert 'role="img"' in chart and "<desc " in chart
    assert 'fill="url(#dashboard-communities-p0)"' in chart  # solid
    assert 'fill="url(#dashboard-communities-p1)"' in chart  # hatched: no colour needed
    assert 'class="legend">Registered</text>' in chart and 'class="legend">Verified</text>' in chart
    month = timezone.localdate().strftime("%b %Y")
    assert f'<tr><th scope="row">{month}</th><td>1</td>' in chart
    assert '<table class="visually-hidden">' in chart


# Bad input never gives a 500 -------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def viewer_client(client, db):
    client.force_login(factories.user("viewer"))
    return client


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["q", "region", "province", "group", "verification", "archived", "place", "colour"]
        ),
        TEXT,
    )
)
def test_map_markers_and_profiles_survive_anything(viewer_client, params):
    assert viewer_client.get(MARKERS, params).status_code == 200
    assert viewer_client.get("/map/", params).status_code == 200
    assert viewer_client.get("/places/", params).status_code == 200
    region = factories.place().municipality.region
    assert viewer_client.get(f"/places/{region.psgc_code}/", params).status_code == 200


@FUZZ
@given(code=TEXT.filter(lambda text: "/" not in text and text.strip()))
def test_any_place_code_is_a_page_a_400_or_a_404(viewer_client, code):
    from urllib.parse import quote

    assert viewer_client.get(f"/places/{quote(code)}/").status_code in (200, 400, 404)


@pytest.mark.integration
def test_a_profile_is_remembered_until_a_record_of_the_place_changes(client):
    """A region's profile aggregates all its communities: counted once, then again only after
    a community, an assessment or a group link changes."""
    client.force_login(factories.user("viewer"))
    barangay = factories.place("XII")
    province = barangay.municipality.province
    url = f"/places/{province.psgc_code}/"
    community = factories.community(name="A", barangay=barangay)
    assert client.get(url).context["profile"].communities == 1
    remembered = factories.queries_for(client, url)
    forget(FIGURES)
    with CaptureQueriesContext(connection) as computed:
        client.get(url)
    assert len(computed) > remembered + 5  # the profile's aggregates, not read again

    factories.community(name="B", barangay=barangay)
    assert client.get(url).context["profile"].communities == 2
    Assessment.objects.create(
        community=community, assessed_on="2026-01-05", team="T", method="survey"
    )
    assert client.get(url).context["profile"].assessed_communities == 1
    group = EthnolinguisticGroup.objects.get_or_create(name="Iranun")[0]
    community.ethnolinguistic_groups.add(group)
    assert ("Iranun", 1) in client.get(url).context["profile"].groups


@pytest.mark.integration
def test_a_profile_computes_in_fixed_queries_each_reading_the_communities_once(client):
    """The first view after any change computes every figure (issue 19: 2 s for a region of
    35,000 communities): the totals, the services and the child places in one pass over the
    communities, the assessments by status and both assessment charts in one query, and no
    query joins the communities again to test what ``IN`` already kept current."""
    client.force_login(factories.user("viewer"))
    barangay = factories.place("XII")
    region = barangay.municipality.region
    url = f"/places/{region.psgc_code}/"

    def computed() -> list[str]:
        assert client.get(url).status_code == 200  # sessions and choices warm
        forget(FIGURES)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in queries.captured_queries]

    factories.community(barangay=barangay)
    few = computed()
    for _ in range(3):  # more communities, in more provinces, assessed, with needs
        community = factories.community(barangay=factories.place("XII"))
        Need.objects.create(
            assessment=factories.assessment(of=community), sector="water", priority=1
        )
    many = computed()
    assert len(few) == len(many) == 13, many  # 17 before
    population = [sql for sql in many if 'SUM("communities_community"."population")' in sql]
    assert len(population) == 1, population  # totals, services, child places together
    assessments = [sql for sql in many if 'COUNT("assessments_assessment"."id")' in sql]
    assert len(assessments) == 1, assessments  # by status, conducted, validated
    for sql in many:
        if 'FROM "assessments_' in sql or 'FROM "coordination_engagement"' in sql:
            assert 'JOIN "communities_community"' not in sql, sql


def test_the_assessment_rows_are_counted_per_status_and_quarter_not_one_per_assessment():
    """An aggregate inside values_list groups nothing: a region's 20,000 assessments would come
    back as 20,000 rows of one."""
    community = factories.community()
    for day in ("2026-01-05", "2026-02-10", "2026-03-20"):
        Assessment.objects.create(community=community, assessed_on=day, team="T", method="survey")
    Assessment.objects.create(community=community, assessed_on="2026-04-01", team="T", method="kii")
    rows = trends.assessment_rows(Assessment.objects.all())
    assert sorted(rows) == [
        ("draft", date(2026, 1, 1), None, 3),
        ("draft", date(2026, 4, 1), None, 1),
    ]
