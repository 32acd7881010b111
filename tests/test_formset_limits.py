"""A formset takes a capped number of rows (obcms/records/formsets.py): a POST that claims
more (``TOTAL_FORMS=99999999999999999999``) gets a form error naming the cap, and the page
builds no more forms than the cap, on the pages and in the admin."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.support import factories

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def _management(prefix: str) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": HUGE,
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _rows_shown(html: str, prefix: str, field: str) -> int:
    return len(re.findall(rf'name="{prefix}-\d+-{field}"', html))


def test_a_meeting_claiming_countless_action_items_is_refused_with_the_cap(client):
    client.force_login(factories.user("encoder"))
    response = client.post(
        reverse("meetings:meeting_create"), {"title": "Consultation", **_management("actions")}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A meeting takes at most 100 action items" in html
    assert len(response.context["actions"].forms) <= 100
    assert _rows_shown(html, "actions", "what") <= 100


def test_an_assessment_claiming_countless_needs_is_refused_with_the_cap(client):
    client.force_login(factories.user("encoder"))
    community = factories.community()
    response = client.post(
        reverse("assessments:create", args=[community.pk]),
        {"assessed_on": "2026-11-01", "team": "OOBC", **_management("needs")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "An assessment takes at most 100 needs" in html
    assert len(response.context["needs"].forms) <= 100
    assert _rows_shown(html, "needs", "description") <= 100


def test_every_admin_inline_has_a_checked_cap():
    request = RequestFactory().get("/")
    request.user = factories.user("administrator")
    request.user.is_superuser = True
    inlines = [
        inline(model, admin.site)
        for model, model_admin in admin.site._registry.items()
        for inline in model_admin.inlines
    ]
    assert inlines
    for inline in inlines:
        formset = inline.get_formset(request)
        assert formset.max_num <= 1000, inline
        assert formset.absolute_max == formset.max_num and formset.validate_max, inline


def test_the_admin_refuses_countless_rows_with_the_cap(client):
    client.force_login(factories.user("administrator"))
    meeting = factories.meeting()
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    prefix = client.get(url).context["inline_admin_formsets"][0].formset.prefix
    response = client.post(url, {"title": "Renamed", **_management(prefix)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please submit at most 100 forms" in html
    assert len(response.context["inline_admin_formsets"][0].formset.forms) <= 100
    assert _rows_shown(html, prefix, "what") <= 100
