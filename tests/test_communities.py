"""Communities as staff keep them: validation, the list and detail pages, edits and history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community, CommunityChange, EthnolinguisticGroup
from obcms.geography.models import Region
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_households_cannot_exceed_population():
    c = factories.community(population=50, households=60)
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    assert "60 households cannot live in a population of 50" in str(error.value)


def test_barangay_must_be_in_the_chosen_municipality():
    elsewhere = factories.place()
    c = factories.community()
    c.barangay = elsewhere
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    assert f"{elsewhere.name} is in {elsewhere.municipality.name}" in str(error.value)


@pytest.mark.parametrize(
    ("latitude", "longitude", "field", "message"),
    [
        ("35.6", "139.7", "latitude", "outside the Philippines"),  # Tokyo
        ("123.4", "7.8", "latitude", "latitude comes first"),  # swapped
        ("7.8", None, "longitude", "both latitude and longitude"),
    ],
)
def test_coordinates_must_be_a_point_in_the_philippines(latitude, longitude, field, message):
    c = factories.community(latitude=latitude, longitude=longitude)
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_coordinates_in_mindanao_are_accepted():
    factories.community(latitude="7.825100", longitude="123.437000").full_clean()


def test_same_community_twice_in_a_barangay_is_refused_whatever_the_case():
    first = factories.community(name="Sitio Salam")
    duplicate = Community(
        name="sitio salam", barangay=first.barangay, municipality=first.municipality
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_form_reports_a_foreign_barangay_as_a_field_error(client):
    from obcms.communities.forms import CommunityForm

    c = factories.community()
    other = factories.place()
    form = CommunityForm(
        {
            "name": "Purok Pagasa",
            "municipality": c.municipality_id,
            "barangay": other.pk,
            "verification": "unverified",
        }
    )
    assert not form.is_valid()
    assert "barangay" in form.errors


def test_the_list_uses_the_same_number_of_queries_for_5_or_50_rows(client):
    factories.communities_in_one_barangay(5)
    client.force_login(factories.user("viewer"))
    region = Region.objects.get(short_name="XII")
    url = reverse("communities:list")
    client.get(url)  # warm the session
    few = factories.queries_for(client, url, {"region": region.pk})
    factories.communities_in_one_barangay(55)
    many = factories.queries_for(client, url, {"region": region.pk})
    assert few == many
    assert len(client.get(url, {"region": region.pk}).context["page"]) == 50


def test_the_detail_page_uses_the_same_number_of_queries_for_1_or_6_assessments(client):
    c = factories.community()
    client.force_login(factories.user("viewer"))

    def add_assessments(n):
        for i in range(n):
            a = Assessment.objects.create(
                community=c, assessed_on="2026-01-05", team=str(i), method="survey"
            )
            Need.objects.create(assessment=a, sector="health", description="x")

    add_assessments(1)
    client.get(c.get_absolute_url())
    one = factories.queries_for(client, c.get_absolute_url())
    add_assessments(5)
    assert factories.queries_for(client, c.get_absolute_url()) == one


def test_editing_records_who_changed_what(client):
    c = factories.community(population=100, households=20)
    editor = factories.user("encoder")
    client.force_login(editor)
    response = client.post(
        reverse("communities:edit", args=[c.pk]),
        {
            "name": c.name,
            "municipality": c.municipality_id,
            "barangay": c.barangay_id,
            "population": 120,
            "households": 20,
            "verification": "verified",
            "contacts-TOTAL_FORMS": 0,
            "contacts-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    change = CommunityChange.objects.get(community=c)
    assert change.changed_by == editor
    assert change.changes["population"] == ["100", "120"]
    assert change.changes["verification"] == ["Unverified", "Verified"]


def test_search_and_filters_survive_arbitrary_strings(client):
    factories.communities_in_one_barangay(3)
    client.force_login(factories.user("viewer"))
    for value in ["'; DROP TABLE x;--", "\x00", "🙂" * 50, "%", "9" * 40, "<script>"]:
        for key in ("q", "region", "province", "group", "verification", "incomplete", "page"):
            assert client.get(reverse("communities:list"), {key: value}).status_code == 200


def test_the_list_shows_each_row_with_its_place_and_groups(client):
    barangay = factories.place("XII")
    c = factories.community(name="Purok Kalilintad", barangay=barangay, population=420)
    c.ethnolinguistic_groups.add(
        *EthnolinguisticGroup.objects.filter(name__in=["Maranao", "Iranun"])
    )
    factories.community(name="Sitio Elsewhere")
    client.force_login(factories.user("viewer"))
    html = client.get(reverse("communities:list"), {"q": "kalilintad"}).content.decode()
    assert f'href="/communities/{c.pk}/"' in html
    for text in (
        "Purok Kalilintad",
        barangay.name,
        barangay.municipality.name,
        "XII",
        "420",
        "Iranun, Maranao",
        "Unverified",
    ):
        assert text in html, text
    assert "Sitio Elsewhere" not in html
