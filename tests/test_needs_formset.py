"""A tampered hidden field in the needs formset (hardening issue, finding 8) gets a visible
error on the page, not a silent re-render."""

import pytest
from django.urls import reverse

from tests.support import factories

pytestmark = pytest.mark.django_db


def test_a_tampered_need_id_is_reported_on_the_page(client):
    assessment = factories.assessment()
    other = factories.assessment()  # a need of another assessment
    client.force_login(factories.user("encoder"))
    url = reverse("assessments:edit", kwargs={"pk": assessment.pk})
    page = client.get(url)
    data = {}
    for form in (page.context["form"],):
        data.update(factories.form_data(form))
    needs = page.context["needs"]
    data.update(factories.form_data(needs.management_form))
    for need in needs:
        data.update(factories.form_data(need))
    for tampered, message in (
        (str(other.needs.first().pk), "no longer matches the saved assessment"),
        ("abc", "Reload the page and enter this row again"),
    ):
        data["needs-0-id"] = tampered
        data["needs-0-description"] = "Changed"
        response = client.post(url, data)
        assert response.status_code == 200, tampered
        html = response.content.decode()
        assert message in html and 'role="alert"' in html, tampered
    assert assessment.needs.get().description == "A midwife"
    assert other.needs.get().description == "A midwife"
