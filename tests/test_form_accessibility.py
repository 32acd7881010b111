"""Every ``aria-describedby`` on a form page points at an element of the page: Django 5 writes
``id_X_helptext`` (and ``id_X_error`` once the field has an error) on each input, and
obcms/templates/includes/field.html gives the help text and the errors those ids."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.support import factories

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described_by: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"])
        self.described_by.extend((found.get("aria-describedby") or "").split())


def _dangling(html: str) -> tuple[list[str], list[str]]:
    page = _Ids()
    page.feed(html)
    return page.described_by, [i for i in page.described_by if i not in page.ids]


def test_every_described_by_on_the_community_form_exists(client):
    client.force_login(factories.user("encoder"))
    url = reverse("communities:create")

    described, dangling = _dangling(client.get(url).content.decode())
    assert any(i.endswith("_helptext") for i in described)
    assert dangling == []

    refused = client.post(url, {"name": "", "population": "many"})  # errors beside help texts
    assert refused.status_code == 200
    described, dangling = _dangling(refused.content.decode())
    assert any(i.endswith("_error") for i in described)
    assert dangling == []


def test_every_described_by_on_the_assessment_form_exists(client):
    client.force_login(factories.user("encoder"))
    community = factories.community()
    page = client.get(reverse("assessments:create", args=[community.pk]))
    assert _dangling(page.content.decode())[1] == []
