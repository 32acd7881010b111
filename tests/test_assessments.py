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
