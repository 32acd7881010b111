"""Communities as staff keep them: the full profile and its validation, the list and profile
pages, edits and contacts per role."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obcms.assessments.models import Assessment, Need
from obcms.communities.forms import CommunityForm
from obcms.communities.models import PEOPLE, Community, Contact, EthnolinguisticGroup
from obcms.db.shared_cache import forget
from obcms.geography.models import Region
from obcms.records.figures import FIGURES
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_households_cannot_exceed_population():
    c = factories.community(population=50, households=60)
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    assert "60 households cannot live in a population of 50" in str(error.value)


@pytest.mark.parametrize("field", [name for name in PEOPLE if name != "households"])
def test_every_count_of_people_must_fit_in_the_population(field):
    c = factories.community(population=50, **{field: 51})
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    label = Community._meta.get_field(field).verbose_name
    assert error.value.message_dict[field] == [
        f"51 {label} is more than the population of 50; check both numbers."
    ]
    c.population = 51
    c.full_clean()


def test_the_form_shows_a_count_above_the_population_next_to_the_count(client):
    c = factories.community(population=100)
    client.force_login(factories.user("encoder"))
    url = reverse("communities:edit", args=[c.pk])
    data = factories.form_data(CommunityForm(instance=c), women=140, youth=20)
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "women": ["140 women is more than the population of 100; check both numbers."]
    }
    assert "140 women is more than the population of 100" in response.content.decode()


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
    client.get(url)  # new places made: the remembered selects are read afresh once
    many = factories.queries_for(client, url, {"region": region.pk})
    assert few == many
    assert len(client.get(url, {"region": region.pk}).context["page"]) == 50


@pytest.mark.integration
def test_the_profile_page_uses_the_same_queries_for_1_or_6_assessments_contacts_changes(client):
    c = factories.community()
    client.force_login(factories.user("viewer"))
    made = 0

    def add(n):
        nonlocal made
        for _ in range(n):
            made += 1
            a = Assessment.objects.create(
                community=c, assessed_on="2026-01-05", team=str(made), method="survey"
            )
            Need.objects.create(assessment=a, sector="health", description="x", priority=3)
            Need.objects.create(assessment=a, sector="education", description="y", priority=1)
            Contact.objects.create(community=c, name=f"Contact {made}")
            factories.engagement(of=c)
            factories.ppa(communities=[c])
            factories.meeting(communities=[c])
            c.ethnolinguistic_groups.add(EthnolinguisticGroup.objects.create(name=f"G{made}"))
            c.livelihoods.create(name=f"Livelihood {made}")
            c.languages.create(name=f"Language {made}")
            c.population = 100 + made
            c.save()

    def computed() -> int:
        """The queries of the first view after a change, when the parts are read again."""
        forget(FIGURES)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(c.get_absolute_url()).status_code == 200
        return len(queries)

    add(1)
    client.get(c.get_absolute_url())
    one, first_one = factories.queries_for(client, c.get_absolute_url()), computed()
    add(5)
    assert factories.queries_for(client, c.get_absolute_url()) == one
    assert computed() == first_one
    # After a change: the user, the community with its places, its history and attachments,
    # contacts, terms (one query for the three lists), assessments, needs (one, for both
    # tables), engagements, PPAs and meetings, each once. Between changes, with a shared cache,
    # far fewer (tests/test_scale.py).
    assert one <= first_one <= 11, (one, first_one)
    html = client.get(c.get_absolute_url()).content.decode()
    assert "<dd>G1, G2, G3, G4, G5, G6</dd>" in html
    assert "<dd>Language 1, Language 2, Language 3" in html
    # Each assessment's sectors in the needs' own order (priority first), as before.
    assert "<td>Education, Health</td>" in html


def test_the_profile_page_shows_every_section_in_words(client):
    c = factories.community(
        population=1200,
        women=610,
        settlement_type="coastal",
        access_potable_water="poor",
        access_madrasah="available",
        lgu_relationship="fair",
        challenges="Flooding every rainy season",
        latitude="7.825100",
        longitude="123.437000",
    )
    client.force_login(factories.user("viewer"))
    html = client.get(c.get_absolute_url()).content.decode()
    for title in (
        "Identity",
        "People",
        "Access to services",
        "Religious and cultural life",
        "Organisations",
        "Relationship with the LGU",
        "Challenges and aspirations",
    ):
        assert f"<h2>{title}</h2>" in html, title
    for text in (
        "1,200",
        "610",
        "Coastal",
        "Poor",
        "Available, not rated",
        "Fair: occasional contact",
        "Flooding every rainy season",
        "7.825100",
        "123.437000",
    ):
        assert text in html, text
    assert '<dt>Sanitation</dt><dd class="muted">unknown</dd>' in html


def test_an_encoder_adds_edits_and_removes_a_contact_on_the_community_page(client):
    c = factories.community()
    client.force_login(factories.user("encoder"))
    response = client.post(
        reverse("communities:contact_create", args=[c.pk]),
        {"name": "  Datu   Ali ", "role": "leader", "phone": "+63 917 000 0000", "email": ""},
    )
    assert response.status_code == 302 and response["Location"] == c.get_absolute_url()
    contact = Contact.objects.get(community=c)
    assert contact.name == "Datu Ali"
    assert "Datu Ali" in client.get(c.get_absolute_url()).content.decode()

    client.post(
        reverse("communities:contact_edit", args=[contact.pk]),
        {"name": "Datu Ali", "role": "religious", "phone": "", "email": "ali@example.org"},
    )
    contact.refresh_from_db()
    assert (contact.role, contact.email) == ("religious", "ali@example.org")

    assert client.post(reverse("communities:contact_remove", args=[contact.pk])).status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_a_viewer_cannot_touch_contacts(client):
    contact = Contact.objects.create(community=factories.community(), name="Bai Norhana")
    client.force_login(factories.user("viewer"))
    for name, pk in (
        ("communities:contact_create", contact.community_id),
        ("communities:contact_edit", contact.pk),
        ("communities:contact_remove", contact.pk),
    ):
        assert client.post(reverse(name, args=[pk]), {"name": "x"}).status_code == 403, name
    assert Contact.objects.get(pk=contact.pk).name == "Bai Norhana"


def test_an_encoder_saves_the_full_profile_from_the_form(client):
    c = factories.community()
    client.force_login(factories.user("encoder"))
    data = factories.form_data(
        CommunityForm(instance=c),
        other_names="Kampung Salam",
        settlement_type="riverine",
        proximity_to_barmm="adjacent",
        population=800,
        households=150,
        families=170,
        fisherfolk=90,
        access_electricity="fair",
        access_communication="none",
        mosques=2,
        asatidz=4,
        cooperatives=1,
        lgu_relationship="strained",
        aspirations="A madrasah building",
    )
    response = client.post(reverse("communities:edit", args=[c.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    c.refresh_from_db()
    assert (c.families, c.fisherfolk, c.access_electricity, c.access_communication) == (
        170,
        90,
        "fair",
        "none",
    )
    assert (c.settlement_type, c.lgu_relationship, c.asatidz) == ("riverine", "strained", 4)


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
