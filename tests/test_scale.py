"""What keeps the registry fast at national scale (issue 19): each community's region and
province stored on it and kept right, lists that count without joining the places, and a
fixed number of queries per page whatever the data volume. Never milliseconds."""

from __future__ import annotations

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obcms.communities.models import Community
from obcms.db.shared_cache import forget
from obcms.geography import loading
from obcms.geography.models import Municipality, Province
from obcms.records.figures import FIGURES
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_the_region_and_province_follow_the_community_when_it_moves():
    community = factories.community(barangay=factories.place("IX"))
    town = community.municipality
    assert (community.region_id, community.province_id) == (town.region_id, town.province_id)

    elsewhere = factories.place("XII")
    community.barangay = elsewhere
    community.municipality = elsewhere.municipality
    community.save(update_fields=["barangay", "municipality"])
    community.refresh_from_db()
    assert community.region.short_name == "XII"
    assert community.province_id == elsewhere.municipality.province_id

    # Changed by id only, as a form or an import may do it.
    back = Community.objects.get(pk=community.pk)
    back.municipality_id, back.barangay_id = town.pk, factories.place("IX").pk
    back.save()
    back.refresh_from_db()
    assert (back.region_id, back.province_id) == (town.region_id, town.province_id)


def fixture(tmp_path, province_of_town: str):
    rows = [
        ["0900000000", "", "region", "Region IX (Zamboanga Peninsula)"],
        ["0970000000", "0900000000", "province", "Province A"],
        ["0980000000", "0900000000", "province", "Province B"],
        ["0970100000", province_of_town, "municipality", "Town"],
        ["0970100001", "0970100000", "barangay", "Barangay"],
    ]
    path = tmp_path / f"psgc-{province_of_town}.json.gz"
    path.write_bytes(gzip.compress(json.dumps(rows).encode()))
    return path


def test_the_places_loader_moves_communities_with_their_municipality(tmp_path):
    loading.load(["IX"], path=fixture(tmp_path, "0970000000"))
    town = Municipality.objects.get(psgc_code="0970100000")
    community = factories.community(barangay=town.barangays.get())
    assert community.province.name == "Province A"

    loading.load(["IX"], path=fixture(tmp_path, "0980000000"))
    community.refresh_from_db()
    assert community.province.name == "Province B"

    # A municipality moved to another region by hand, then the loader's refresh.
    other = factories.place("X").municipality.region
    Municipality.objects.filter(pk=town.pk).update(region=other, province=None)
    assert Community.refresh_places() == 1
    community.refresh_from_db()
    assert (community.region, community.province) == (other, None)
    assert Community.refresh_places() == 0  # nothing stale left


def list_queries(client, url: str, params: dict) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.integration
@pytest.mark.parametrize("name", ["communities:list", "assessments:list"])
def test_a_region_page_counts_without_joining_the_places_and_in_fixed_queries(client, name):
    client.force_login(factories.user("administrator"))
    url = reverse(name)
    barangay = factories.place("XII")
    region = barangay.municipality.region
    Province.objects.create(psgc_code=factories.code("12"), name="Another", region=region)

    def grow(n: int) -> None:
        for _ in range(n):
            factories.assessment(of=factories.community(barangay=barangay))

    grow(3)
    params = {"region": region.pk}
    client.get(url, params)  # session and caches warm, as on any later request
    forget(FIGURES)  # the count is remembered: counted again, to be seen
    few = list_queries(client, url, params)
    grow(60)  # more than a page: the remembered count is forgotten
    many = list_queries(client, url, params)
    assert len(few) == len(many)
    assert len(list_queries(client, url, params)) == len(many) - 1  # the count remembered
    counts = [sql for sql in many if sql.startswith("SELECT COUNT(*)")]
    assert counts, many
    assert not any("geography_municipality" in sql for sql in counts), counts
    assert not any("assessments_need" in sql for sql in counts), counts


def page_queries(client, url: str, params: dict | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code in (200, 403), response.status_code
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.integration
def test_a_signed_in_request_reads_its_session_and_permissions_from_the_cache(client):
    client.force_login(factories.user("viewer"))
    factories.community()
    url = reverse("communities:list")
    client.get(url)  # the session, the permission set and the selects remembered
    queries = page_queries(client, url)
    tables = " ".join(queries)
    assert "django_session" not in tables
    assert "auth_permission" not in tables
    for select in ("geography_region", "geography_province", "communities_ethnolinguisticgroup"):
        assert f'FROM "{select}"' not in tables, select
    assert len(queries) <= 5, queries  # the user; the count, the rows and their groups


def test_the_remembered_permissions_follow_every_change_of_role(client):
    from django.contrib.auth.models import Group, Permission

    person = factories.user("viewer")
    client.force_login(person)
    create = reverse("communities:create")
    assert client.get(create).status_code == 403
    assert client.get(create).status_code == 403  # now remembered

    person.groups.add(Group.objects.get(name="encoder"))  # given a role
    assert client.get(create).status_code == 200
    encoder = Group.objects.get(name="encoder")
    add = Permission.objects.get(codename="add_community")
    encoder.permissions.remove(add)  # the role itself changed
    assert client.get(create).status_code == 403
    encoder.permissions.add(add)
    assert client.get(create).status_code == 200
    person.groups.remove(encoder)  # the role taken away
    assert client.get(create).status_code == 403
    person.is_superuser = True  # the user itself changed
    person.save()
    assert client.get(create).status_code == 200


def test_the_remembered_selects_follow_their_lists(client):
    from obcms.communities.models import EthnolinguisticGroup
    from obcms.geography.models import Region

    client.force_login(factories.user("viewer"))
    url = reverse("communities:list")
    client.get(url)
    assert "Sangil-Test" not in client.get(url).content.decode()
    EthnolinguisticGroup.objects.create(name="Sangil-Test")
    assert "Sangil-Test" in client.get(url).content.decode()
    Region.objects.create(psgc_code="1300000000", name="National Capital Region", short_name="NCR")
    assert "National Capital Region" in client.get(url).content.decode()


def test_with_the_local_memory_cache_nothing_is_remembered(client, settings):
    """Each process would keep its own copy: a role taken away in one would live on in others."""
    from obcms.db.shared_cache import remembered

    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": local, "copies": local}
    calls = []
    for _ in range(2):
        remembered("test", "key", lambda: calls.append(1))
    assert len(calls) == 2


@pytest.mark.integration
def test_a_remembered_value_is_used_only_by_the_release_that_computed_it(settings):
    """During a rolling deploy two releases share the cache; a value's shape may differ."""
    from obcms.db.shared_cache import remembered

    forget("test-release")
    settings.RELEASE = "old"
    assert remembered("test-release", "key", lambda: "old shape") == "old shape"
    settings.RELEASE = "new"
    assert remembered("test-release", "key", lambda: "new shape") == "new shape"
    assert remembered("test-release", "key", lambda: "computed again") == "new shape"
    settings.RELEASE = "old"
    assert remembered("test-release", "key", lambda: "old again") == "old again"
    forget("test-release", "key")  # reaches whichever release kept it
    assert remembered("test-release", "key", lambda: "after forget") == "after forget"


def test_the_export_rows_cost_a_few_queries_per_chunk_whatever_the_rows():
    from obcms.reports.spreadsheets import COLUMNS, community_rows

    barangay = factories.place("X")
    group = factories.code()
    for i in range(7):
        community = factories.community(
            name=f"=Sitio {i}", barangay=barangay, population=100, households=20 + i
        )
        if i % 2:
            community.ethnolinguistic_groups.create(name=f"Group {group} {i}")

    def export(chunk_size: int) -> tuple[int, list[list]]:
        with CaptureQueriesContext(connection) as queries:
            rows = list(community_rows(Community.objects.all(), chunk_size=chunk_size))
        return len(queries), rows

    one_chunk, rows = export(100)
    three_chunks, same_rows = export(3)
    assert rows == same_rows and len(rows) == 7
    # The rows, then the three relations of each chunk.
    assert (one_chunk, three_chunks) == (1 + 3, 1 + 3 * 3)
    first = dict(zip(COLUMNS, rows[0], strict=True))
    assert first["name"] == "'=Sitio 0" and first["region"] == "X"
    assert first["households"] == 20 and first["settlement_type"] == ""
    assert dict(zip(COLUMNS, rows[1], strict=True))["ethnolinguistic_groups"] == f"Group {group} 1"


def test_the_database_connections_compile_no_query():
    """PostgreSQL's JIT compiled a region's profile for seconds to run it in milliseconds."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_assessment_list_count_is_remembered_until_an_assessment_changes(client):
    from obcms.assessments.models import Assessment

    client.force_login(factories.user("viewer"))
    community = factories.community()
    factories.assessment(of=community)
    url = reverse("assessments:list")
    assert client.get(url).context["page"].paginator.count == 1
    factories.assessment(of=community)
    assert client.get(url).context["page"].paginator.count == 2
    Assessment.objects.first().archive(factories.user("administrator"), "duplicate")
    assert client.get(url).context["page"].paginator.count == 1
    community.archive(factories.user("administrator"), "duplicate")
    assert client.get(url).context["page"].paginator.count == 0


def test_the_figures_are_forgotten_again_once_per_committed_transaction(
    django_capture_on_commit_callbacks,
):
    """At once for this connection, and after the commit for the others: once, not once per
    row of a transaction that saves thousands."""
    from obcms.records import figures

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):
            factories.community()
    assert callbacks.count(figures._forget_after_commit) == 1


@pytest.mark.integration
def test_the_community_profile_reads_its_parts_from_the_cache_until_one_changes(client):
    """Between two changes a profile is the user, the community alone (no join), its history
    and its attachments (11 queries before); any change to what it shows, a meeting's action
    item included, shows on the next view."""
    client.force_login(factories.user("viewer"))
    community = factories.community()
    assessment = factories.assessment(of=community)
    meeting = factories.meeting(
        communities=[community], actions=[{"what": "Call the LGU", "due_on": "2026-12-15"}]
    )
    url = community.get_absolute_url()
    client.get(url)  # session, permissions and the parts remembered
    queries = page_queries(client, url)
    assert len(queries) == 4, queries
    assert not any(" JOIN " in sql for sql in queries if "communities_community" in sql)
    tables = " ".join(queries)
    for table in ("assessments_", "coordination_", "ppas_", "meetings_", "communities_contact"):
        assert table not in tables, queries

    need = assessment.needs.get()
    need.description = "A midwife for the barangay health station"
    need.save()
    assert "A midwife for the barangay health station" in client.get(url).content.decode()
    row = f'<a href="{meeting.get_absolute_url()}">{meeting.title}</a></td><td>1</td>'
    assert row in client.get(url).content.decode()
    meeting.action_items.update(done=True)  # no signal: a save does
    item = meeting.action_items.get()
    item.save()
    assert row.replace("<td>1</td>", "<td>0</td>") in client.get(url).content.decode()
