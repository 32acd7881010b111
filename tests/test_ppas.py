"""Requests and PPAs: status machines by role, the needs following them, progress updates,
totals and query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.urls import reverse

from obcms.assessments.models import Need
from obcms.ppas import chain
from obcms.ppas.models import PPA, ProgressUpdate
from tests.support import factories
from tests.test_needs import need

pytestmark = pytest.mark.django_db


def ppa(kind="oobc_ppa", **fields) -> PPA:
    region = fields.pop("region", None) or factories.place("XII").municipality.region
    return PPA.objects.create(
        **{
            "kind": kind,
            "title": "Water system",
            "sector": "wash",
            "region": region,
            "fiscal_year": 2026,
            "budget_allocated": Decimal("500000.00"),
            **fields,
        }
    )


def validated_need(admin=None, of=None, **fields) -> Need:
    n = need(of, **fields)
    n.validate_by(admin or factories.user("administrator"))
    return n


def status_of(record) -> str:
    record.refresh_from_db()
    return record.status


def test_a_request_and_a_ppa_start_where_their_machines_start():
    assert ppa("obc_request").status == "submitted"
    assert ppa("moa_ppa").status == "planned"


@pytest.mark.parametrize(
    ("kind", "start", "target", "encoder_may"),
    [
        ("oobc_ppa", "planned", "ongoing", True),
        ("oobc_ppa", "ongoing", "completed", True),
        ("oobc_ppa", "planned", "cancelled", False),
        ("oobc_ppa", "completed", "ongoing", False),  # reopen: the explicit undo
        ("obc_request", "submitted", "under_review", True),
        ("obc_request", "under_review", "endorsed", False),
        ("obc_request", "endorsed", "approved", False),
        ("obc_request", "approved", "in_progress", True),
        ("obc_request", "submitted", "declined", False),
    ],
)
def test_each_move_for_the_right_role_and_refused_for_the_others(
    client, kind, start, target, encoder_may
):
    record = ppa(kind, status=start)
    url = reverse("ppas:move", args=[record.pk])
    client.force_login(factories.user("viewer"))
    assert client.post(url, {"status": target}).status_code == 403
    assert status_of(record) == start
    client.force_login(factories.user("encoder"))
    response = client.post(url, {"status": target})
    if encoder_may:
        assert status_of(record) == target
        return
    assert response.status_code == 403
    assert status_of(record) == start
    client.force_login(factories.user("administrator"))
    client.post(url, {"status": target})
    assert status_of(record) == target


def test_a_move_the_machine_lacks_is_refused_with_a_message(client):
    record = ppa("oobc_ppa")
    client.force_login(factories.user("administrator"))
    page = client.post(
        reverse("ppas:move", args=[record.pk]), {"status": "approved"}, follow=True
    ).content.decode()
    assert "cannot go from planned to approved" in page
    assert status_of(record) == "planned"


def test_needs_follow_link_progress_completion_and_undo(client):
    n, other = validated_need(), validated_need()
    record = ppa()
    client.force_login(factories.user("encoder"))
    client.post(reverse("ppas:link", args=[record.pk]), {"need": n.pk})
    assert status_of(n) == "planned"
    assert n.assessment.community in record.communities.all()

    def update(percent):
        return client.post(
            reverse("ppas:update", args=[record.pk]),
            {"reported_on": "2026-03-01", "percent": percent, "what_happened": "Work"},
        )

    update(30)
    assert (status_of(record), status_of(n)) == ("ongoing", "in_progress")
    update(100)
    assert (status_of(record), status_of(n)) == ("completed", "completed")

    # Undo, explicitly: an administrator reopens, then the need is unlinked.
    client.force_login(factories.user("administrator"))
    client.post(reverse("ppas:move", args=[record.pk]), {"status": "ongoing"})
    assert status_of(n) == "in_progress"
    client.post(reverse("ppas:unlink", args=[record.pk, n.pk]))
    assert status_of(n) == "validated"
    assert status_of(other) == "validated"  # never linked, never moved


def test_a_need_follows_the_most_advanced_of_its_ppas_and_cancelling_undoes():
    admin = factories.user("administrator")
    n = validated_need()
    n.prioritize_by(admin, 1)
    first, second = ppa(), ppa()
    chain.link(first, n)
    chain.link(second, n)
    chain.move(first, admin, "ongoing")
    assert status_of(n) == "in_progress"
    chain.move(first, admin, "cancelled")
    assert status_of(n) == "planned"  # the second still plans for it
    chain.move(second, admin, "cancelled")
    assert status_of(n) == "prioritized"  # its rank kept: back where it was


def test_only_a_validated_need_is_linked(client):
    record = ppa()
    fresh = need()
    client.force_login(factories.user("encoder"))
    page = client.post(
        reverse("ppas:link", args=[record.pk]), {"need": fresh.pk}, follow=True
    ).content.decode()
    assert "Only a validated need" in page
    assert not record.needs.exists() and status_of(fresh) == "identified"


def test_creating_a_ppa_for_a_need_links_it(client):
    n = validated_need(estimated_cost=Decimal("75000.00"))
    client.force_login(factories.user("encoder"))
    form = client.get(reverse("ppas:create"), {"need": n.pk}).context["form"]
    assert form.initial["budget_allocated"] == Decimal("75000.00")
    response = client.post(
        reverse("ppas:create") + f"?need={n.pk}",
        {
            "kind": "oobc_ppa",
            "title": "Midwife deployment",
            "sector": "health",
            "region": n.assessment.community.municipality.region_id,
            "communities": [n.assessment.community_id],
            "fiscal_year": 2026,
            "budget_allocated": "75000.00",
            "budget_spent": "0",
        },
    )
    created = PPA.objects.get(title="Midwife deployment")
    assert response.status_code == 302
    assert list(created.needs.all()) == [n] and status_of(n) == "planned"


def test_an_update_is_refused_on_a_cancelled_ppa_and_when_out_of_range(client):
    record = ppa(status="cancelled")
    client.force_login(factories.user("encoder"))
    data = {"reported_on": "2026-03-01", "percent": 10, "what_happened": "x"}
    client.post(reverse("ppas:update", args=[record.pk]), data)
    live = ppa()
    client.post(reverse("ppas:update", args=[live.pk]), {**data, "percent": 140})
    assert not ProgressUpdate.objects.exists()
    assert client.post(reverse("ppas:update", args=[live.pk]), data).status_code == 302
    assert ProgressUpdate.objects.get().created_by.username.startswith("encoder")


def test_totals_equal_the_sums_in_sql(client):
    region = factories.place("XII").municipality.region
    elsewhere = factories.place("IX").municipality.region
    for i in range(6):
        ppa(
            region=region,
            fiscal_year=2025 + i % 2,
            sector=("wash", "health", "education")[i % 3],
            budget_allocated=Decimal("1000.10") * (i + 1),
            budget_spent=Decimal("10.01") * i,
        )
    ppa(region=elsewhere, budget_allocated=Decimal("9"))
    client.force_login(factories.user("viewer"))
    totals = client.get(reverse("ppas:list"), {"region": region.pk}).context["totals"]
    expected = PPA.objects.filter(region=region).aggregate(
        count=Count("pk"), allocated=Sum("budget_allocated"), spent=Sum("budget_spent")
    )
    assert (totals["count"], totals["allocated"], totals["spent"]) == (
        expected["count"],
        expected["allocated"],
        expected["spent"],
    )
    assert totals["allocated"] == Decimal("21002.10")
    by_year = {row["fiscal_year"]: row["allocated"] for row in totals["by_year"]}
    assert by_year == {2025: Decimal("9000.90"), 2026: Decimal("12001.20")}
    assert sum(row["count"] for row in totals["by_sector"]) == 6


def test_list_and_page_cost_the_same_queries_for_5_or_50_rows(client):
    client.force_login(factories.user("viewer"))
    region = factories.place("XII").municipality.region
    partner = factories.partner()
    admin = factories.user("administrator")

    def add(count):
        for _ in range(count):
            record = ppa(region=region, implementing_partner=partner)
            for day in (1, 2):
                ProgressUpdate.objects.create(
                    ppa=record,
                    reported_on=date(2026, 1, day),
                    percent=day * 10,
                    what_happened="w",
                    created_by=admin,
                )
            chain.link(record, validated_need(admin, factories.community(barangay=barangay)))

    barangay = factories.place("XII")
    add(5)
    few = factories.queries_for(client, reverse("ppas:list"))
    small = PPA.objects.first()
    detail = factories.queries_for(client, small.get_absolute_url())
    add(45)
    assert factories.queries_for(client, reverse("ppas:list")) == few
    big = PPA.objects.order_by("pk").first()
    for _ in range(48):  # a PPA with 50 updates and 50 needs
        ProgressUpdate.objects.create(
            ppa=big, reported_on=date(2026, 2, 1), percent=50, what_happened="w", created_by=admin
        )
        chain.link(big, validated_need(admin, factories.community(barangay=barangay)))
    assert factories.queries_for(client, big.get_absolute_url()) == detail


def test_the_community_page_and_the_dashboard_show_the_chain(client):
    admin = factories.user("administrator")
    n = validated_need(admin, beneficiaries=40)
    community = n.assessment.community
    record = ppa(title="Birthing clinic", sector="health", budget_allocated=Decimal("1200.50"))
    chain.link(record, n)
    chain.move(record, admin, "ongoing")
    chain.move(record, admin, "completed")
    client.force_login(factories.user("viewer"))
    page = client.get(community.get_absolute_url()).content.decode()
    assert f'data-need="{n.pk}">Completed<' in page and "Birthing clinic" in page
    figures = client.get(reverse("home")).context["chain"]
    completed = {row["status"]: row["count"] for row in figures["needs_by_status"]}
    assert completed["completed"] == 1 and completed["planned"] == 0
    assert [(r["fiscal_year"], r["sector"], r["allocated"]) for r in figures["ppa_budget"]] == [
        (2026, "health", Decimal("1200.50"))
    ]


def test_the_demo_chain_agrees_with_itself():
    import random

    from obcms.policies import demo as policy_demo
    from obcms.policies.models import Policy
    from obcms.ppas import demo

    users = {role: factories.user(role) for role in ("administrator", "encoder")}
    barangay = factories.place("XII")
    for _ in range(30):
        n = need(factories.community(barangay=barangay), sector="wash")
        n.assessment.status = "validated"
        n.assessment.save()
    counts = demo.seed(random.Random(7), users)
    assert counts["PPAs"] > 0 and ProgressUpdate.objects.exists()
    for n in Need.objects.prefetch_related("ppas"):
        expected = chain.status_from(p.status for p in n.ppas.all())
        if expected:
            assert n.status == expected
        else:
            assert n.status not in Need.FOLLOWS_PPAS
        assert n.estimated_cost is not None and n.households
    policy_demo.seed(random.Random(7), users)
    assert Policy.objects.count() == 12 and Policy.objects.filter(needs__isnull=False).exists()
