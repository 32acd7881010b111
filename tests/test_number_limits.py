"""A number a person types is refused above what PostgreSQL's integer column holds
(2,147,483,647), on SQLite (the unit tier) as on PostgreSQL (the integration tier), with the
same message: in the pages' forms, the admin, the CSV import and the API; never a 500
(obcms/db/columns.py). SQLite keeps 64-bit integers, so Django's own range check let
99,999,999,999,999 through there."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from obcms.api.models import ApiToken
from obcms.api.schema import Generator as SchemaGenerator
from obcms.communities.forms import CommunityForm
from obcms.communities.models import Community
from tests.support import factories

pytestmark = pytest.mark.django_db

LARGEST = 2_147_483_647
HUGE = 99_999_999_999_999
MESSAGE = "Enter a number up to 2,147,483,647: the database cannot hold a larger one."


def _typed_integer_fields() -> dict[str, models.Field]:
    """Every integer field of a model that a superuser can type into in the admin (its add or
    change form, or an inline's), by "app.model.field". The pages' forms and the API edit a
    subset of these."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(username="root", is_superuser=True, is_staff=True)
    found = {}
    for model_admin in admin.site._registry.values():
        typed = []
        if model_admin.has_add_permission(request):
            typed.append((model_admin.model, model_admin.get_form(request).base_fields))
        if model_admin.has_change_permission(request):
            form = model_admin.get_form(request, obj=None, change=True)
            typed.append((model_admin.model, form.base_fields))
        for inline in model_admin.get_inline_instances(request):
            typed.append((inline.model, inline.get_formset(request).form.base_fields))
        for model, fields in typed:
            for name, form_field in fields.items():
                if not isinstance(form_field, forms.IntegerField):
                    continue
                model_field = model._meta.get_field(name)
                if isinstance(model_field, models.IntegerField):
                    found[f"{model._meta.label_lower}.{name}"] = model_field
    return found


def test_every_number_a_person_types_is_refused_beyond_the_integer_column():
    typed = _typed_integer_fields()
    assert {
        "communities.community.population",
        "communities.community.women",
        "geography.barangay.population",
        "assessments.need.beneficiaries",
        "assessments.need.rank",
        "ppas.ppa.reached_beneficiaries",
        "meetings.meeting.participants_male",
    } <= typed.keys()
    for name, model_field in typed.items():
        instance = model_field.model()
        with pytest.raises(ValidationError) as refused:
            model_field.clean(LARGEST + 1, instance)
        maxima = [v for v in model_field.validators if isinstance(v, MaxValueValidator)]
        limit = min(v.limit_value for v in maxima)
        if limit == LARGEST and not model_field.choices:  # not a year, a percent, a choice
            assert refused.value.messages == [MESSAGE], name
            model_field.run_validators(LARGEST)  # the largest the column holds is taken


def test_the_community_form_refuses_a_count_beyond_the_column_and_takes_the_largest(client):
    c = factories.community()
    client.force_login(factories.user("encoder"))
    url = reverse("communities:edit", args=[c.pk])
    data = factories.form_data(CommunityForm(instance=c), population=HUGE, families=LARGEST + 1)
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"population": [MESSAGE], "families": [MESSAGE]}
    assert MESSAGE in response.content.decode()
    c.refresh_from_db()
    assert c.population is None
    data = factories.form_data(CommunityForm(instance=c), population=LARGEST, families=LARGEST)
    assert client.post(url, data).status_code == 302
    c.refresh_from_db()
    assert (c.population, c.families) == (LARGEST, LARGEST)  # what PostgreSQL's column holds


def test_the_admin_refuses_a_population_beyond_the_column(client):
    barangay = factories.place()
    root = get_user_model().objects.create_superuser("root-limits", "r@example.org", "x" * 12)
    client.force_login(root)
    url = reverse("admin:geography_barangay_change", args=[barangay.pk])
    data = {
        "psgc_code": barangay.psgc_code,
        "name": barangay.name,
        "municipality": barangay.municipality_id,
        "latitude": barangay.latitude,
        "longitude": barangay.longitude,
        "population": str(HUGE),
        "area_km2": "",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"population": [MESSAGE]}
    barangay.refresh_from_db()
    assert barangay.population is None


def test_the_api_refuses_a_count_beyond_the_column_with_the_pages_message(client):
    encoder = factories.user("encoder")
    _, secret = ApiToken.issue(encoder, name="limits", scope=ApiToken.Scope.READ_WRITE)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    c = factories.community()
    url = f"/api/v1/communities/{c.pk}/"
    for change in ({"population": HUGE}, {"women": LARGEST + 1}):
        response = client.patch(url, change, "application/json", **auth)
        assert response.status_code == 400, change
        assert response.json()["errors"] == {name: [MESSAGE] for name in change}
    taken = client.patch(url, {"population": LARGEST}, "application/json", **auth)
    assert taken.status_code == 200 and taken.json()["population"] == LARGEST
    need = factories.assessment(of=c).needs.get()
    response = client.patch(
        f"/api/v1/needs/{need.pk}/", {"beneficiaries": HUGE}, "application/json", **auth
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"beneficiaries": [MESSAGE]}


def test_the_api_schema_gives_the_columns_maximum_on_every_database():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert schemas["Community"]["properties"]["population"]["maximum"] == LARGEST
    assert schemas["Need"]["properties"]["beneficiaries"]["maximum"] == LARGEST
    assert schemas["Need"]["properties"]["priority"]["maximum"] == 32_767  # a smallint


def test_a_rank_beyond_the_column_is_a_message_on_the_register_page(client):
    """The register saves a rank without a form: on PostgreSQL it was a DataError (500)."""
    admin_user = factories.user("administrator")
    need = factories.assessment().needs.get()
    need.validate_by(admin_user)
    region = need.assessment.community.region
    client.force_login(admin_user)
    url = reverse("needs:prioritize") + f"?region={region.pk}&sector=health"
    response = client.post(url, {f"rank-{need.pk}": str(HUGE)})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    need.refresh_from_db()
    assert (need.status, need.rank) == ("validated", None)
    with pytest.raises(ValidationError, match="2,147,483,647"):
        need.prioritize_by(admin_user, HUGE)


def test_the_import_reports_a_count_beyond_the_column_and_saves_the_largest():
    from obcms.reports import imports

    psgc = factories.place().psgc_code
    raw = "\n".join(
        [
            "name,barangay_psgc,population,women",
            f"Largest,{psgc},{LARGEST},{LARGEST}",
            f"Huge,{psgc},{HUGE},",
            f"Many women,{psgc},,{LARGEST + 1}",
            f"Last,{psgc},7,",
        ]
    ).encode()
    outcome = imports.import_communities(raw, None, lambda done, total: None)
    assert outcome.created == 2
    assert [(e["row"], e["errors"]) for e in outcome.errors] == [
        (3, {"population": [MESSAGE]}),
        (4, {"women": [MESSAGE]}),
    ]
    assert Community.objects.get(name="Largest").population == LARGEST
    assert Community.objects.filter(name="Last").exists()
