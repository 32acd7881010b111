"""The needs register: lifecycle decisions by role, prioritisation, filters and totals."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obcms.assessments.models import Assessment, Need
from obcms.db.bulk import insert
from obcms.db.shared_cache import forget
from obcms.records.figures import FIGURES
from tests.support import factories

pytestmark = pytest.mark.django_db


def need(of=None, **fields) -> Need:
    assessment = Assessment.objects.create(
        community=of or factories.community(),
        assessed_on="2026-01-05",
        team="T",
        method="survey",
    )
    return Need.objects.create(
        assessment=assessment,
        **{"sector": "health", "description": "A midwife", **fields},
    )


@pytest.mark.parametrize("role", ["viewer", "encoder"])
def test_only_administrators_decide_and_nothing_is_saved_otherwise(client, role):
    n = need()
    client.force_login(factories.user(role))
    url = reverse("needs:decide", args=[n.pk])
    for decision in ("validate", "defer", "reject"):
        assert client.post(url, {"decision": decision, "reason": "r"}).status_code == 403
    n.refresh_from_db()
    assert (n.status, n.validated_by, n.status_reason) == ("identified", None, "")


def test_an_administrator_validates_defers_and_rejects_with_a_reason(client):
    admin = factories.user("administrator")
    client.force_login(admin)
    n = need()
    url = reverse("needs:decide", args=[n.pk])
    client.post(url, {"decision": "validate"})
    n.refresh_from_db()
    assert (n.status, n.validated_by) == ("validated", admin) and n.validated_at

    page = client.post(url, {"decision": "defer", "reason": "  "}, follow=True)
    assert "Say why" in page.content.decode()
    n.refresh_from_db()
    assert n.status == "validated"  # refused: nothing saved

    client.post(url, {"decision": "defer", "reason": "Wait for the next budget"})
    n.refresh_from_db()
    assert (n.status, n.status_reason) == ("deferred", "Wait for the next budget")
    client.post(url, {"decision": "reject", "reason": "Covered by the LGU"})
    n.refresh_from_db()
    assert (n.status, n.status_reason) == ("rejected", "Covered by the LGU")
    page = client.post(url, {"decision": "validate"}, follow=True)
    assert "cannot be validated" in page.content.decode()
    n.refresh_from_db()
    assert n.status == "rejected"
    assert "Covered by the LGU" in client.get(n.get_absolute_url()).content.decode()


def test_encoders_record_but_the_edit_form_never_moves_the_status(client):
    n = need()
    client.force_login(factories.user("encoder"))
    response = client.post(
        reverse("needs:edit", args=[n.pk]),
        {
            "sector": "wash",
            "description": "Two water points",
            "priority": 1,
            "urgency": "immediate",
            "beneficiaries": 300,
            "households": 60,
            "estimated_cost": "1250000.50",
            "status": "completed",
        },
    )
    assert response.status_code == 302
    n.refresh_from_db()
    assert (n.sector, n.urgency, n.households, n.status) == ("wash", "immediate", 60, "identified")
    assert n.estimated_cost == Decimal("1250000.50")


def test_administrators_rank_the_validated_needs_of_a_region_and_sector(client):
    admin = factories.user("administrator")
    barangay = factories.place("XII")
    first, second, unvalidated = (need(factories.community(barangay=barangay)) for _ in range(3))
    other_sector = need(factories.community(barangay=barangay), sector="wash")
    for n in (first, second, other_sector):
        n.validate_by(admin)
    region = barangay.municipality.region
    url = reverse("needs:prioritize") + f"?region={region.pk}&sector=health"

    client.force_login(factories.user("encoder"))
    assert client.get(url).status_code == 403
    assert client.post(url, {f"rank-{first.pk}": "1"}).status_code == 403

    client.force_login(admin)
    listed = [n.pk for n in client.get(url).context["needs"]]
    assert sorted(listed) == sorted([first.pk, second.pk])  # validated, this sector only
    same = client.post(url, {f"rank-{first.pk}": "1", f"rank-{second.pk}": "1"})
    assert "share a rank" in same.content.decode()
    first.refresh_from_db()
    assert (first.status, first.rank) == ("validated", None)

    client.post(url, {f"rank-{first.pk}": "2", f"rank-{second.pk}": "1"})
    first.refresh_from_db()
    second.refresh_from_db()
    unvalidated.refresh_from_db()
    assert (first.status, first.rank, second.rank) == ("prioritized", 2, 1)
    assert unvalidated.status == "identified"


def test_filters_and_totals_equal_the_sums_in_sql(client):
    xii, ix = factories.place("XII"), factories.place("IX")
    for i in range(4):
        need(
            factories.community(barangay=xii),
            sector=("health", "wash")[i % 2],
            beneficiaries=100 + i,
            estimated_cost=Decimal("1000.25") * (i + 1),
            urgency="immediate",
        )
    need(factories.community(barangay=ix), beneficiaries=7, estimated_cost=Decimal("5"))
    need(factories.community(barangay=xii), beneficiaries=None, estimated_cost=None)
    client.force_login(factories.user("viewer"))
    region = xii.municipality.region
    response = client.get(reverse("needs:list"), {"region": region.pk})
    totals = response.context["totals"]
    expected = Need.objects.filter(assessment__community__municipality__region=region).aggregate(
        count=Count("pk"), people=Sum("beneficiaries"), cost=Sum("estimated_cost")
    )
    assert (totals["count"], totals["people"], totals["cost"]) == (
        expected["count"],
        expected["people"],
        expected["cost"],
    )
    assert totals["cost"] == Decimal("10002.50") and totals["count"] == 5
    by_sector = {row["sector"]: (row["count"], row["people"]) for row in totals["by_sector"]}
    assert by_sector == {"health": (3, 100 + 102), "wash": (2, 101 + 103)}
    assert response.context["page"].paginator.count == 5

    urgent = client.get(reverse("needs:list"), {"urgency": "immediate", "sector": "wash"})
    assert urgent.context["totals"]["count"] == 2
    text = client.get(reverse("needs:list"), {"q": "midwife", "status": "validated"})
    assert text.context["totals"]["count"] == 0


def test_an_archived_assessment_takes_its_needs_out_of_the_register(client):
    n = need(beneficiaries=10)
    n.assessment.archive(factories.user("administrator"), "duplicate")
    client.force_login(factories.user("viewer"))
    response = client.get(reverse("needs:list"))
    assert response.context["totals"]["count"] == 0
    archived = client.get(reverse("needs:list"), {"archived": "archived"})
    assert archived.context["totals"]["count"] == 1


def test_the_list_and_a_page_cost_the_same_queries_for_5_or_50_rows(client):
    client.force_login(factories.user("viewer"))
    barangay = factories.place("XI")
    for _ in range(5):
        need(factories.community(barangay=barangay), estimated_cost=Decimal("10"))
    few = factories.queries_for(client, reverse("needs:list"))
    for _ in range(45):
        need(factories.community(barangay=barangay), estimated_cost=Decimal("10"))
    assert factories.queries_for(client, reverse("needs:list")) == few
    one = Need.objects.first()
    detail = factories.queries_for(client, one.get_absolute_url())
    assert factories.queries_for(client, Need.objects.last().get_absolute_url()) == detail


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_export_matches_the_filtered_list(
    client, settings, tmp_path, django_capture_on_commit_callbacks, export_format
):
    import csv
    import io

    from obcms.reports.models import Export
    from obcms.reports.tasks import build_export

    settings.MEDIA_ROOT = tmp_path
    xii = factories.place("XII")
    for _ in range(3):
        need(factories.community(barangay=xii), sector="wash", estimated_cost=Decimal("12.50"))
    need(factories.community(barangay=xii), sector="health")
    need(factories.community(barangay=factories.place("IX")), sector="wash")
    need(factories.community(barangay=xii), sector="wash", description="=HYPERLINK(1)")
    client.force_login(factories.user("viewer"))
    query = {"region": xii.municipality.region_id, "sector": "wash"}
    page = client.get(reverse("needs:list"), query).context["page"]
    listed = sorted(row[0] for row in page)  # plain rows, the pk first (register.ROW_FIELDS)
    assert len(listed) == 4
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("needs_export") + f"?region={query['region']}&sector=wash",
            {"format": export_format},
        )
    export = Export.objects.get()
    assert response["Location"] == export.get_absolute_url()
    build_export(export.pk)
    export.refresh_from_db()
    assert (export.status, export.processed) == ("done", 4)
    if export_format == "csv":
        rows = list(csv.reader(io.StringIO(export.file.read().decode("utf-8-sig"))))
    else:
        from openpyxl import load_workbook

        rows = list(load_workbook(export.file.open("rb")).active.values)
    assert sorted(int(r[0]) for r in rows[1:]) == listed
    assert "'=HYPERLINK(1)" in {r[7] for r in rows[1:]}


@pytest.mark.integration
def test_the_totals_are_remembered_until_a_need_changes(client):
    """A region's totals read every one of its needs: the page counts them once, then again
    only after a need, its assessment or its community changes (also inserted in bulk)."""
    client.force_login(factories.user("viewer"))
    first = need(estimated_cost=Decimal("10"))
    url = reverse("needs:list")
    assert client.get(url).context["totals"]["count"] == 1
    remembered = factories.queries_for(client, url)
    forget(FIGURES)
    with CaptureQueriesContext(connection) as counted:
        client.get(url)
    assert len(counted) == remembered + 1  # the one GROUP BY of the totals

    need(of=first.assessment.community, estimated_cost=Decimal("5"))
    totals = client.get(url).context["totals"]
    assert (totals["count"], totals["cost"]) == (2, Decimal("15"))
    validated = client.get(url, {"status": "validated"})
    assert validated.context["totals"]["count"] == 0
    first.validate_by(factories.user("administrator"))
    assert client.get(url, {"status": "validated"}).context["totals"]["count"] == 1
    insert([Need(assessment=first.assessment, sector="wash", description="A well")])
    assert client.get(url).context["totals"]["count"] == 3
    first.assessment.community.archive(factories.user("administrator"), "duplicate")
    assert client.get(url).context["totals"]["count"] == 0
