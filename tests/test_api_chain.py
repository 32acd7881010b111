"""The API's needs register, requests and PPAs, policy recommendations and meetings: filters,
details (money as decimal strings, nested history and items), the pages' rules for who may
write and decide, and the archive rule. Access for every operation and the fixed query count
of every list (5 and 50 rows) are walked in tests/test_api.py, from its BUILDERS."""

from __future__ import annotations

from datetime import datetime

import pytest

from obcms.assessments.models import Need
from obcms.policies.models import StatusChange
from obcms.ppas.models import PPA, ProgressUpdate
from tests.support import factories
from tests.test_api import bearer, token_for

pytestmark = pytest.mark.django_db


def _need(status: str = "identified", **fields) -> Need:
    return Need.objects.create(
        assessment=factories.assessment(),
        sector="wash",
        description="A spring box",
        status=status,
        **fields,
    )


def test_the_needs_register_filters_shows_money_as_text_and_only_administrators_decide(client):
    _, viewer = token_for("viewer", scope="read")
    _, encoder = token_for("encoder")
    administrator, admin = token_for("administrator")
    need = _need(estimated_cost="125000.50", urgency="immediate")
    rejected = _need(status="rejected", status_reason="Duplicate")

    def ids(**params: str) -> list[int]:
        response = client.get("/api/v1/needs/", params, **bearer(viewer))
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(status="rejected") == [rejected.pk]
    assert ids(urgency="immediate", sector="wash") == [need.pk]
    assert client.get("/api/v1/needs/", {"urgency": "soon"}, **bearer(viewer)).status_code == 400
    detail = client.get(f"/api/v1/needs/{need.pk}/", **bearer(viewer)).json()
    assert detail["estimated_cost"] == "125000.50" and detail["status"] == "identified"

    url = f"/api/v1/needs/{need.pk}/"
    for action, body in (("validate", {}), ("defer", {"reason": "Next year"})):
        refused = client.post(f"{url}{action}/", body, "application/json", **bearer(encoder))
        assert refused.status_code == 403 and refused.json()["code"] == "role_forbids"
    assert Need.objects.get(pk=need.pk).status == "identified"

    blank = client.post(f"{url}defer/", {"reason": " "}, "application/json", **bearer(admin))
    assert blank.status_code == 400 and Need.objects.get(pk=need.pk).status == "identified"
    validated = client.post(f"{url}validate/", **bearer(admin))
    assert validated.status_code == 200, validated.json()
    assert validated.json()["status"] == "validated"
    assert validated.json()["validated_by"] == administrator.username
    again = client.post(f"{url}validate/", **bearer(admin))
    assert again.status_code == 400 and "cannot be validated" in str(again.json()["errors"])
    ranked = client.post(f"{url}prioritize/", {"rank": 2}, "application/json", **bearer(admin))
    assert ranked.json()["status"] == "prioritized" and ranked.json()["rank"] == 2
    reason = {"reason": "Done by the LGU"}
    decided = client.post(f"{url}reject/", reason, "application/json", **bearer(admin))
    assert decided.status_code == 200, decided.json()
    assert (decided.json()["status"], decided.json()["status_reason"]) == (
        "rejected",
        reason["reason"],
    )


def test_encoders_add_a_ppa_through_the_pages_form_and_a_viewer_cannot(client):
    encoder, secret = token_for("encoder")
    _, viewer = token_for("viewer")
    community = factories.community()
    body = {
        "kind": "oobc_ppa",
        "title": "Water system for Sitio Lamitan",
        "sector": "wash",
        "region": community.municipality.region_id,
        "communities": [community.pk],
        "fiscal_year": 2026,
        "budget_allocated": "2500000.00",
    }
    refused = client.post("/api/v1/ppas/", body, "application/json", **bearer(viewer))
    assert refused.status_code == 403 and refused.json()["code"] == "role_forbids"
    assert not PPA.objects.exists()

    made = client.post("/api/v1/ppas/", body, "application/json", **bearer(secret))
    assert made.status_code == 201, made.json()
    answer = made.json()
    assert answer["status"] == "planned" and answer["budget_allocated"] == "2500000.00"
    assert answer["budget_spent"] == "0.00" and answer["created_by"] == encoder.username
    assert answer["communities"] == [community.pk] and answer["updates"] == []
    # The form's rules, field by field: an end before the start, a requester on a PPA.
    bad = client.post(
        "/api/v1/ppas/",
        {**body, "start_date": "2026-05-01", "end_date": "2026-04-01", "requester": "Datu"},
        "application/json",
        **bearer(secret),
    )
    assert bad.status_code == 400 and PPA.objects.count() == 1
    url = f"/api/v1/ppas/{answer['id']}/"
    kind = client.patch(url, {"kind": "moa_ppa"}, "application/json", **bearer(secret))
    assert kind.status_code == 400 and list(kind.json()["errors"]) == ["kind"]
    spent = client.patch(url, {"budget_spent": "1000.5"}, "application/json", **bearer(secret))
    assert spent.status_code == 200 and spent.json()["budget_spent"] == "1000.50"
    listed = client.get(
        "/api/v1/ppas/", {"kind": "oobc_ppa", "fiscal_year": 2026}, **bearer(viewer)
    )
    assert [row["id"] for row in listed.json()["results"]] == [answer["id"]]
    other = client.get("/api/v1/ppas/", {"kind": "obc_request"}, **bearer(viewer))
    assert other.json()["results"] == []


def test_a_progress_update_moves_the_ppa_and_its_need_and_a_viewer_cannot_add_one(client):
    encoder, secret = token_for("encoder")
    _, viewer = token_for("viewer")
    need = _need(status="validated")
    ppa = factories.ppa(needs=[need])
    url = f"/api/v1/ppas/{ppa.pk}/updates/"
    update = {"reported_on": "2026-03-01", "percent": 100, "what_happened": "Handed over"}
    refused = client.post(url, update, "application/json", **bearer(viewer))
    assert refused.status_code == 403 and not ProgressUpdate.objects.exists()
    invalid = client.post(url, {**update, "percent": 101}, "application/json", **bearer(secret))
    assert invalid.status_code == 400 and list(invalid.json()["errors"]) == ["percent"]

    done = client.post(url, update, "application/json", **bearer(secret))
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "completed"
    assert [(u["percent"], u["created_by"]) for u in done.json()["updates"]] == [
        (100, encoder.username)
    ]
    assert Need.objects.get(pk=need.pk).status == "completed"
    cancelled = factories.ppa(status="cancelled")
    closed = client.post(
        f"/api/v1/ppas/{cancelled.pk}/updates/", update, "application/json", **bearer(secret)
    )
    assert closed.status_code == 400 and list(closed.json()["errors"]) == ["status"]


def test_policies_show_their_evidence_history_and_milestones_and_current_ones_only(client):
    administrator, secret = token_for("administrator")
    need = _need(status="validated")
    policy = factories.policy(needs=[need], milestones=2)
    policy.move_to(administrator, "under_review", "Ready for the director")
    gone = factories.policy()
    gone.archive(administrator, "Merged")
    listed = client.get("/api/v1/policies/", {"status": "under_review"}, **bearer(secret))
    assert [row["id"] for row in listed.json()["results"]] == [policy.pk]
    assert (
        client.get("/api/v1/policies/", {"status": "draft"}, **bearer(secret)).json()["results"]
        == []
    )
    archived = client.get("/api/v1/policies/", {"archived": "archived"}, **bearer(secret))
    assert [row["id"] for row in archived.json()["results"]] == [gone.pk]
    detail = client.get(f"/api/v1/policies/{policy.pk}/", **bearer(secret)).json()
    assert detail["needs"] == [need.pk]
    (change,) = detail["changes"]
    assert (change["before"], change["after"], change["note"]) == (
        "draft",
        "under_review",
        "Ready for the director",
    )
    assert change["changed_by"] == administrator.username
    assert [m["due_on"] for m in detail["milestones"]] == ["2026-03-01", "2026-03-02"]
    # Read only: recorded and decided on the pages.
    write = client.post("/api/v1/policies/", {"title": "x"}, "application/json", **bearer(secret))
    assert write.status_code == 405 and StatusChange.objects.count() == 1


def test_meetings_list_by_kind_with_their_action_items(client):
    staff, secret = token_for("viewer")
    community = factories.community()
    meeting = factories.meeting(
        communities=[community],
        actions=[
            {"what": "Send the minutes", "assignee": staff, "due_on": "2026-12-05"},
            {"what": "Visit the site", "assignee_name": "Datu Ali, MSSD", "due_on": "2026-12-03"},
        ],
    )
    factories.meeting(kind="workshop")
    listed = client.get("/api/v1/meetings/", {"kind": "coordination"}, **bearer(secret))
    assert [row["id"] for row in listed.json()["results"]] == [meeting.pk]
    detail = client.get(f"/api/v1/meetings/{meeting.pk}/", **bearer(secret)).json()
    assert detail["communities"] == [community.pk]
    assert datetime.fromisoformat(detail["starts_at"]) == meeting.starts_at
    assert [(a["what"], a["assignee"], a["assignee_name"]) for a in detail["action_items"]] == [
        ("Visit the site", None, "Datu Ali, MSSD"),
        ("Send the minutes", staff.username, ""),
    ]


def test_a_ppa_moves_on_its_machine_and_only_administrators_cancel(client):
    _, encoder = token_for("encoder")
    _, admin = token_for("administrator")
    need = _need(status="validated")
    ppa = factories.ppa(needs=[need])
    url = f"/api/v1/ppas/{ppa.pk}/move/"
    refused = client.post(url, {"status": "cancelled"}, "application/json", **bearer(encoder))
    assert refused.status_code == 403 and PPA.objects.get(pk=ppa.pk).status == "planned"
    skip = client.post(url, {"status": "completed"}, "application/json", **bearer(encoder))
    assert skip.status_code == 400 and list(skip.json()["errors"]) == ["status"]
    started = client.post(url, {"status": "ongoing"}, "application/json", **bearer(encoder))
    assert started.status_code == 200 and started.json()["status"] == "ongoing"
    assert Need.objects.get(pk=need.pk).status == "in_progress"
    cancelled = client.post(url, {"status": "cancelled"}, "application/json", **bearer(admin))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Need.objects.get(pk=need.pk).status == "validated"
