"""The registry as staff use it: validation, permissions, query counts, import and export."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community, CommunityChange, EthnolinguisticGroup
from obcms.geography.models import Barangay, Municipality, Region
from obcms.reports import imports
from obcms.reports.models import Export
from obcms.reports.tasks import build_export
from tests import factories
from tests.processes import manage

pytestmark = pytest.mark.django_db


# Validation ------------------------------------------------------------------------------


def test_households_cannot_exceed_population():
    c = factories.community(population=50, households=60)
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    assert "60 households cannot live in a population of 50" in str(error.value)


def test_barangay_must_be_in_the_chosen_municipality():
    elsewhere = factories.place()
    c = factories.community()
    c.barangay = elsewhere
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    assert f"{elsewhere.name} is in {elsewhere.municipality.name}" in str(error.value)


def test_same_community_twice_in_a_barangay_is_refused_whatever_the_case():
    first = factories.community(name="Sitio Salam")
    duplicate = Community(
        name="sitio salam", barangay=first.barangay, municipality=first.municipality
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_form_reports_a_foreign_barangay_as_a_field_error(client):
    from obcms.communities.forms import CommunityForm

    c = factories.community()
    other = factories.place()
    form = CommunityForm(
        {
            "name": "Purok Pagasa",
            "municipality": c.municipality_id,
            "barangay": other.pk,
            "verification": "unverified",
        }
    )
    assert not form.is_valid()
    assert "barangay" in form.errors


# Access ----------------------------------------------------------------------------------

PUBLIC = {"health", "ready", "login"}


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def url_for(name: str, pattern: URLPattern) -> str:
    kwargs = {key: 1 for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


def test_every_page_refuses_anonymous_users(client):
    factories.community()
    names = [(n, p) for n, p in all_url_names() if n not in PUBLIC]
    assert len(names) > 10
    for name, pattern in names:
        for method in ("get", "post"):
            response = getattr(client, method)(url_for(name, pattern))
            assert response.status_code in (302, 404, 405), (name, method)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login")), name


WRITE_URLS = [
    "communities:create",
    "communities:edit",
    "assessments:create",
    "assessments:edit",
    "assessments:submit",
    "assessments:validate",
    "coordination:partner_create",
    "coordination:engagement_create",
    "reports:import_create",
]


def test_a_viewer_cannot_change_anything(client):
    c = factories.community()
    assessment = Assessment.objects.create(
        community=c, assessed_on="2026-01-05", team="T", method="survey"
    )
    client.force_login(factories.user("viewer"))
    patterns = dict(all_url_names())
    for name in WRITE_URLS:
        url = reverse(
            name,
            kwargs={
                k: (assessment.pk if "assessments:" in name and k == "pk" else c.pk)
                for k in patterns[name].pattern.converters
            },
        )
        assert client.post(url, {"name": "x"}).status_code == 403, name
    assert Community.objects.get(pk=c.pk).name == c.name


def test_a_viewer_can_read_and_export(client):
    c = factories.community()
    client.force_login(factories.user("viewer"))
    assert client.get(reverse("communities:list")).status_code == 200
    assert client.get(c.get_absolute_url()).status_code == 200
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("reports:export_create")).status_code == 302


def test_only_an_administrator_validates(client):
    c = factories.community()
    assessment = Assessment.objects.create(
        community=c, assessed_on="2026-01-05", team="T", method="survey"
    )
    Need.objects.create(assessment=assessment, sector="health", description="Midwife")
    client.force_login(factories.user("encoder"))
    client.post(reverse("assessments:submit", args=[assessment.pk]))
    assert client.post(reverse("assessments:validate", args=[assessment.pk])).status_code == 403
    client.force_login(factories.user("administrator"))
    client.post(reverse("assessments:validate", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.VALIDATED


def test_a_draft_without_needs_cannot_be_submitted():
    assessment = Assessment.objects.create(
        community=factories.community(), assessed_on="2026-01-05", team="T", method="survey"
    )
    with pytest.raises(ValidationError, match="at least one need"):
        assessment.submit()


# Pages -----------------------------------------------------------------------------------


def make_communities(n: int) -> None:
    barangay = factories.place("XII")
    group = EthnolinguisticGroup.objects.get(name="Maranao")
    for i in range(n):
        factories.community(name=f"Purok {i}", barangay=barangay).ethnolinguistic_groups.add(group)


def queries_for(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_the_list_uses_the_same_number_of_queries_for_5_or_50_rows(client):
    make_communities(5)
    client.force_login(factories.user("viewer"))
    region = Region.objects.get(short_name="XII")
    url = reverse("communities:list")
    client.get(url)  # warm the session
    few = queries_for(client, url, {"region": region.pk})
    make_communities(55)
    many = queries_for(client, url, {"region": region.pk})
    assert few == many
    assert len(client.get(url, {"region": region.pk}).context["page"]) == 50


def test_the_detail_page_uses_the_same_number_of_queries_for_1_or_6_assessments(client):
    c = factories.community()
    client.force_login(factories.user("viewer"))

    def add_assessments(n):
        for i in range(n):
            a = Assessment.objects.create(
                community=c, assessed_on="2026-01-05", team=str(i), method="survey"
            )
            Need.objects.create(assessment=a, sector="health", description="x")

    add_assessments(1)
    client.get(c.get_absolute_url())
    one = queries_for(client, c.get_absolute_url())
    add_assessments(5)
    assert queries_for(client, c.get_absolute_url()) == one


def test_editing_records_who_changed_what(client):
    c = factories.community(population=100, households=20)
    editor = factories.user("encoder")
    client.force_login(editor)
    response = client.post(
        reverse("communities:edit", args=[c.pk]),
        {
            "name": c.name,
            "municipality": c.municipality_id,
            "barangay": c.barangay_id,
            "population": 120,
            "households": 20,
            "verification": "verified",
            "contacts-TOTAL_FORMS": 0,
            "contacts-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    change = CommunityChange.objects.get(community=c)
    assert change.changed_by == editor
    assert change.changes["population"] == ["100", "120"]
    assert change.changes["verification"] == ["Unverified", "Verified"]


def test_search_and_filters_survive_arbitrary_strings(client):
    make_communities(3)
    client.force_login(factories.user("viewer"))
    for value in ["'; DROP TABLE x;--", "\x00", "🙂" * 50, "%", "9" * 40, "<script>"]:
        for key in ("q", "region", "province", "group", "verification", "incomplete", "page"):
            assert client.get(reverse("communities:list"), {key: value}).status_code == 200


# Import ----------------------------------------------------------------------------------


def test_import_keeps_every_good_row_and_reports_every_bad_one():
    barangay = factories.place()
    factories.community(name="Existing", barangay=barangay)
    rows = [
        ["name", "barangay_psgc", "population", "households", "ethnolinguistic_groups"],
        ["Sitio Uno", barangay.psgc_code, "100", "20", "Maranao"],  # good
        ["Sitio Dos", "0000000000", "100", "20", ""],  # bad barangay
        ["Sitio Tres", barangay.psgc_code, "10", "20", ""],  # households > pop
        ['=HYPERLINK("x")', barangay.psgc_code, "", "", ""],  # formula
        ["Existing", barangay.psgc_code, "", "", ""],  # duplicate
        ["Sitio Cuatro", barangay.psgc_code, "many", "", ""],  # not a number
        ["Sitio Cinco", barangay.psgc_code, "", "", "Martian"],  # unknown group
        ["Sitio Seis", barangay.psgc_code, "", "", "Tausug, Sama"],  # good
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    outcome = imports.import_communities(out.getvalue().encode(), None, lambda d, t: None)
    assert (outcome.total, outcome.created) == (8, 2)
    assert [e["row"] for e in outcome.errors] == [3, 4, 5, 6, 7, 8]
    assert set(Community.objects.values_list("name", flat=True)) == {
        "Existing",
        "Sitio Uno",
        "Sitio Seis",
    }
    assert "formulas are not accepted" in str(outcome.errors[2]["errors"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x00\x00binary", "not a CSV file"),
        ("name,barangay_psgc\nSitio Ñ,1\n".encode("latin-1"), "not UTF-8"),
        (b"title,place\nx,y\n", r"Missing column\(s\): name, barangay_psgc"),
    ],
)
def test_import_refuses_unreadable_files_whole(content, message):
    with pytest.raises(imports.ImportRefused, match=message):
        imports.read_rows(content)


# Export ----------------------------------------------------------------------------------


def test_csv_export_matches_the_filtered_list_and_neutralises_formulas(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    make_communities(3)
    factories.community(name="=cmd|' /C calc'!A0", barangay=factories.place("IX"))
    region = Region.objects.get(short_name="XII")
    user = factories.user("viewer")
    export = Export.objects.create(user=user, filters={"region": str(region.pk)})
    build_export(export.pk)
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    rows = list(csv.reader(io.StringIO(export.file.read().decode("utf-8-sig"))))
    expected = Community.objects.filter(municipality__region=region)
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(expected.values_list("pk", flat=True))

    everything = Export.objects.create(user=user, filters={})
    build_export(everything.pk)
    everything.refresh_from_db()
    text = everything.file.read().decode("utf-8-sig")
    assert "'=cmd|" in text and "\n=cmd" not in text


def test_xlsx_export_has_the_same_rows(tmp_path, settings):
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    make_communities(4)
    export = Export.objects.create(user=factories.user("viewer"), format="xlsx", filters={})
    build_export(export.pk)
    export.refresh_from_db()
    sheet = load_workbook(export.file.open("rb"), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "id" and len(rows) == 5


def test_a_download_is_only_for_its_owner(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    make_communities(1)
    owner = factories.user("viewer")
    export = Export.objects.create(user=owner, filters={})
    build_export(export.pk)
    client.force_login(factories.user("viewer"))
    assert client.get(reverse("reports:export_download", args=[export.pk])).status_code == 404
    client.force_login(owner)
    response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbfid,name")


# Geography and demo data ----------------------------------------------------------------


def test_geography_load_is_idempotent_and_keeps_the_hierarchy():
    call_command("load_geography", "--regions", "IX", verbosity=0)
    counts = (Region.objects.count(), Municipality.objects.count(), Barangay.objects.count())
    call_command("load_geography", "--regions", "IX", verbosity=0)
    assert (
        Region.objects.count(),
        Municipality.objects.count(),
        Barangay.objects.count(),
    ) == counts
    zamboanga = Municipality.objects.get(name="City of Zamboanga")
    assert zamboanga.province is None and zamboanga.region.short_name == "IX"
    assert Barangay.objects.filter(municipality__province__name="Zamboanga del Sur").exists()
    assert counts[2] > 1500


def test_unknown_region_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown region 'XXX'; known:"):
        call_command("load_geography", "--regions", "XXX", verbosity=0)


def test_seed_demo_creates_a_working_registry(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--communities", "40", verbosity=0)
    assert Community.objects.count() == 40
    assert Assessment.objects.exists() and Need.objects.exists()
    call_command("seed_demo", "--if-empty", verbosity=0)
    assert Community.objects.count() == 40


@pytest.mark.integration
@pytest.mark.django_db(databases=[])
def test_bulk_loads_leave_postgresql_planner_statistics_fresh(fresh_database, production_env):
    """Without ANALYZE after seed_demo, the planner believed the tables empty until the next
    autoanalyze, and the list page joined every row of a region before sorting."""
    import psycopg

    env = {**production_env, "DATABASE_URL": fresh_database}
    for command in (["release"], ["seed_demo", "--force", "--communities", "30"]):
        result = manage(*command, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    with psycopg.connect(fresh_database) as db:
        analyzed = dict(
            db.execute(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname IN ('communities_community', 'geography_barangay', "
                "'communities_community_ethnolinguistic_groups', 'assessments_need')"
            ).fetchall()
        )
    assert analyzed == dict.fromkeys(analyzed, True) and len(analyzed) == 4, analyzed


def test_the_list_shows_each_row_with_its_place_and_groups(client):
    barangay = factories.place("XII")
    c = factories.community(name="Purok Kalilintad", barangay=barangay, population=420)
    c.ethnolinguistic_groups.add(
        *EthnolinguisticGroup.objects.filter(name__in=["Maranao", "Iranun"])
    )
    factories.community(name="Sitio Elsewhere")
    client.force_login(factories.user("viewer"))
    html = client.get(reverse("communities:list"), {"q": "kalilintad"}).content.decode()
    assert f'href="/communities/{c.pk}/"' in html
    for text in (
        "Purok Kalilintad",
        barangay.name,
        barangay.municipality.name,
        "XII",
        "420",
        "Iranun, Maranao",
        "Unverified",
    ):
        assert text in html, text
    assert "Sitio Elsewhere" not in html
