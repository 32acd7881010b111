"""Who may do what: every page needs sign-in; viewers read and export, never write."""

import pytest
from django.urls import reverse

from obcms.assessments.models import Assessment
from obcms.communities.models import Community
from tests.support import factories
from tests.support.urls import ARCHIVE_URLS, PUBLIC, WRITE_URLS, all_url_names, url_for

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


def test_an_encoder_cannot_archive_restore_validate_or_return(client):
    client.force_login(factories.user("encoder"))
    patterns = dict(all_url_names())
    for name in [*ARCHIVE_URLS, "assessments:validate", "assessments:return"]:
        response = client.post(url_for(name, patterns[name]), {"reason": "x"})
        assert response.status_code == 403, name


def test_every_list_and_record_page_reads_for_a_viewer(client):
    engagement = factories.engagement()
    assessment = factories.assessment(of=engagement.community)
    client.force_login(factories.user("viewer"))
    for url in (
        reverse("communities:list"),
        reverse("assessments:list"),
        reverse("coordination:partners"),
        reverse("coordination:engagements"),
        engagement.community.get_absolute_url(),
        assessment.get_absolute_url(),
        engagement.partner.get_absolute_url(),
        engagement.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"Archive\xe2\x80\xa6" not in response.content, url  # no archive form


def test_the_admin_opens_every_registry_model_for_an_administrator(client):
    from django.contrib import admin

    engagement = factories.engagement()
    factories.assessment(of=engagement.community)
    client.force_login(factories.user("administrator"))
    for model in admin.site._registry:
        if model._meta.app_label not in ("communities", "assessments", "coordination"):
            continue
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert client.get(reverse(f"{prefix}_changelist")).status_code == 200, prefix
        assert client.get(reverse(f"{prefix}_add")).status_code == 200, prefix
        first = model.objects.first()
        if first is not None:
            change = reverse(f"{prefix}_change", args=[first.pk])
            assert client.get(change).status_code == 200, prefix
