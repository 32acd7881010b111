"""MANA assessments: the draft -> submitted -> validated workflow."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from obcms.assessments.models import Assessment, Need
from tests.support import factories

pytestmark = pytest.mark.django_db


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


def test_an_administrator_returns_a_submitted_assessment_with_a_reason_its_author_sees(client):
    author = factories.user("encoder")
    assessment = factories.assessment(created_by=author)
    assessment.submit()
    client.force_login(author)
    url = reverse("assessments:return", args=[assessment.pk])
    assert client.post(url, {"reason": "Count the households"}).status_code == 403

    admin = factories.user("administrator")
    client.force_login(admin)
    empty = client.post(url, {"reason": "  "}, follow=True)
    assert "Say what to change" in empty.content.decode()
    client.post(url, {"reason": "Count the households per need."})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT
    assert (assessment.returned_by, assessment.returned_reason) == (
        admin,
        "Count the households per need.",
    )

    client.force_login(author)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Returned for changes" in page and "Count the households per need." in page
    assert "Submit for validation" in page  # the author can fix it and send it again
    listed = client.get(reverse("assessments:list"), {"returned": "on"}).content.decode()
    assert "returned for changes" in listed
    client.post(reverse("assessments:submit", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED


def test_only_a_submitted_assessment_goes_back_to_draft():
    draft = factories.assessment()
    with pytest.raises(ValidationError, match="Only a submitted assessment"):
        draft.return_to_draft(factories.user("administrator"), "why")


def test_administrators_see_what_awaits_validation_first_and_everyone_can_filter(client):
    older_submitted = factories.assessment(assessed_on="2025-01-01", status="submitted")
    newer_draft = factories.assessment(assessed_on="2026-01-01")
    validated = factories.assessment(assessed_on="2025-06-01", status="validated")
    url = reverse("assessments:list")

    client.force_login(factories.user("administrator"))
    order = [a.pk for a in client.get(url).context["page"]]
    assert order == [older_submitted.pk, newer_draft.pk, validated.pk]
    client.force_login(factories.user("viewer"))
    assert [a.pk for a in client.get(url).context["page"]] == [
        newer_draft.pk,
        validated.pk,
        older_submitted.pk,
    ]
    region = older_submitted.community.municipality.region
    for params, expected in (
        ({"status": "validated"}, [validated.pk]),
        ({"assessed_from": "2025-05-01", "assessed_to": "2025-12-31"}, [validated.pk]),
        ({"team": "ampatuan", "sort": "date"}, [older_submitted.pk, validated.pk, newer_draft.pk]),
        ({"region": region.pk, "status": "submitted"}, [older_submitted.pk]),
    ):
        assert [a.pk for a in client.get(url, params).context["page"]] == expected, params
