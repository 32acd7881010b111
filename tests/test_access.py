"""Who may do what: every page needs sign-in; viewers read and export, never write."""

import pytest
from django.urls import reverse

from obcms.assessments.models import Assessment
from obcms.communities.models import Community
from tests.support import factories
from tests.support.urls import PUBLIC, WRITE_URLS, all_url_names, url_for

pytestmark = pytest.mark.django_db


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
