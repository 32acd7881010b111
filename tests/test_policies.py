"""Policy recommendations: status changes by role (dated, with who), evidence, milestones,
and what the reminders and calendar get from milestones and PPA follow-ups."""

from datetime import date

import pytest
from django.urls import reverse

from obcms.agenda import sources as agenda
from obcms.policies import followups as policy_followups
from obcms.policies.models import Milestone, Policy
from obcms.ppas import followups as ppa_followups
from obcms.ppas.models import ProgressUpdate
from obcms.reminders import sending as reminders
from tests.support import factories
from tests.test_needs import need
from tests.test_ppas import ppa

pytestmark = pytest.mark.django_db


def policy(**fields) -> Policy:
    return Policy.objects.create(
        **{
            "title": "Halal certification support",
            "category": "economic",
            "scope": "regional",
            "agency_addressed": "MTIT",
            "problem": "p",
            "recommendation": "r",
            **fields,
        }
    )


def status_of(record) -> str:
    record.refresh_from_db()
    return record.status


def test_encoders_send_for_review_and_administrators_decide_each_change_dated(client):
    record = policy()
    url = reverse("policies:move", args=[record.pk])
    encoder, admin = factories.user("encoder"), factories.user("administrator")
    client.force_login(factories.user("viewer"))
    assert client.post(url, {"status": "under_review"}).status_code == 403
    client.force_login(encoder)
    client.post(url, {"status": "under_review"})
    assert status_of(record) == "under_review"
    assert client.post(url, {"status": "submitted"}).status_code == 403
    assert status_of(record) == "under_review"
    client.force_login(admin)
    page = client.post(url, {"status": "implemented"}, follow=True).content.decode()
    assert "cannot go to implemented" in page and status_of(record) == "under_review"
    for step in ("submitted", "adopted", "in_implementation", "implemented"):
        client.post(url, {"status": step, "note": f"to {step}"})
    assert status_of(record) == "implemented"
    changes = list(record.changes.order_by("changed_at", "pk"))
    assert [(c.after, c.changed_by) for c in changes] == [
        ("under_review", encoder),
        ("submitted", admin),
        ("adopted", admin),
        ("in_implementation", admin),
        ("implemented", admin),
    ]
    assert all(c.changed_at for c in changes)


def test_evidence_cites_needs_and_assessments(client):
    cited = need()
    client.force_login(factories.user("encoder"))
    data = {
        "title": "Madrasah teachers",
        "category": "cultural",
        "scope": "provincial",
        "agency_addressed": "MBHTE",
        "problem": "Few teachers",
        "recommendation": "Fund positions",
        "assessments": [cited.assessment_id],
        "evidence_needs": f"{cited.pk}, 999999",
    }
    page = client.post(reverse("policies:create"), data)
    assert "No need numbered 999999" in page.content.decode()
    assert not Policy.objects.exists()
    client.post(reverse("policies:create"), {**data, "evidence_needs": str(cited.pk)})
    created = Policy.objects.get()
    assert list(created.needs.all()) == [cited]
    assert list(created.assessments.all()) == [cited.assessment]
    detail = client.get(created.get_absolute_url()).content.decode()
    assert f"#{cited.pk}" in detail


def test_milestones_and_follow_ups_reach_reminders_and_the_calendar(client):
    encoder, responsible = factories.user("encoder"), factories.user("encoder")
    record = policy()
    client.force_login(encoder)
    client.post(
        reverse("policies:milestone_add", args=[record.pk]),
        {"title": "Draft the EO", "due_on": "2026-04-10", "responsible": responsible.pk},
    )
    Milestone.objects.create(
        policy=record,
        title="Done already",
        due_on=date(2026, 4, 10),
        done_on=date(2026, 4, 1),
        created_by=encoder,
    )
    work = ppa(title="Footbridge")
    ProgressUpdate.objects.create(
        ppa=work,
        reported_on=date(2026, 4, 1),
        percent=40,
        what_happened="Piles driven",
        next_steps="Deck",
        follow_up_on=date(2026, 4, 10),
        created_by=encoder,
    )
    day = date(2026, 4, 10)
    assert [u for u, _ in policy_followups.reminders_due(day)] == [responsible.pk]
    assert [u for u, _ in ppa_followups.reminders_due(day)] == [encoder.pk]
    assert list(ppa_followups.reminders_due(date(2026, 4, 11))) == []
    # The daily reminders and the calendar read them through their registries.
    assert set(reminders.due_lines(day)) >= {responsible.pk, encoder.pk}
    found = agenda.events(encoder, date(2026, 4, 1), date(2026, 5, 1))
    mine = [e for e in found if e.kind in ("policy_milestone", "ppa_follow_up")]
    assert sorted(e.kind for e in mine) == ["policy_milestone", "ppa_follow_up"]
    assert {e.url for e in mine} == {record.get_absolute_url(), work.get_absolute_url()}
    assert {e.day for e in mine} == {day}
    assert agenda.events(encoder, date(2026, 5, 1), date(2026, 6, 1), kind="ppa_follow_up") == []


def test_the_list_costs_the_same_queries_for_5_or_50_rows(client):
    client.force_login(factories.user("viewer"))
    for _ in range(5):
        policy()
    few = factories.queries_for(client, reverse("policies:list"))
    detail = factories.queries_for(client, Policy.objects.first().get_absolute_url())
    for _ in range(45):
        policy()
    assert factories.queries_for(client, reverse("policies:list")) == few
    assert factories.queries_for(client, Policy.objects.last().get_absolute_url()) == detail
