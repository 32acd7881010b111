"""The partner API (/api/v1/): its schema, who may do what with which token, the pages' rules
and history on every write, errors as JSON, cursor pages, throttles, and the token page.

The access and query-count tests walk every operation of the generated schema, so a record
type added later is covered as soon as it has a builder in BUILDERS."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone
from openapi_spec_validator import validate as validate_openapi
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from obcms.api.models import ApiToken, hash_secret
from obcms.api.schema import Generator as SchemaGenerator
from obcms.api.throttling import cache_key
from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.coordination.models import Engagement, Partner
from obcms.geography.models import Barangay, Municipality, Province, Region
from obcms.urls import urlpatterns as site_urls
from tests.support import factories
from tests.support.history import last_change_by

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch")


@pytest.fixture(autouse=True)
def _throttles(settings) -> None:
    """Counts start afresh for the test client's address, and only the throttle tests lower
    the rates: this module sends a few hundred requests a minute from one address, and with
    REDIS_URL the counts live in Redis across tests."""
    settings.API_THROTTLE_RATE = settings.API_ADDRESS_THROTTLE_RATE = "100000/min"
    cache.delete(cache_key("address", "127.0.0.1"))


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token_for(role: str, scope: str = ApiToken.Scope.READ_WRITE, **fields) -> tuple:
    """A user of ``role`` and a token of theirs: (user, secret)."""
    user = factories.user(role)
    token, secret = ApiToken.issue(user, name=f"{role} test", scope=scope)
    if fields:
        ApiToken.objects.filter(pk=token.pk).update(**fields)
    return user, secret


def operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the schema declares, ids filled in with 1."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method, re.sub(r"\{\w+\}", "1", route))
        for route, methods in schema["paths"].items()
        for method in methods
    ]


# One builder per list endpoint: build(n) adds n rows that its list shows.
def _regions(n: int) -> None:
    for _ in range(n):
        Region.objects.create(psgc_code=factories.code("99"), name="R", short_name="R")


def _provinces(n: int) -> None:
    region = factories.place().municipality.region
    for _ in range(n):
        Province.objects.create(psgc_code=factories.code(), name="P", region=region)


def _municipalities(n: int) -> None:
    province = factories.place().municipality.province
    for _ in range(n):
        Municipality.objects.create(
            psgc_code=factories.code(),
            name="M",
            kind="municipality",
            region=province.region,
            province=province,
        )


def _barangays(n: int) -> None:
    municipality = factories.place().municipality
    for _ in range(n):
        Barangay.objects.create(psgc_code=factories.code(), name="B", municipality=municipality)


def _communities(n: int) -> None:
    factories.communities_in_one_barangay(n)
    for community in Community.objects.all():
        community.contacts.create(name="Datu Ali")
        community.livelihoods.add(*community.livelihoods.model.objects.all()[:2])


def _assessments(n: int, needs: int = 2) -> list[Assessment]:
    community = factories.community()
    made = []
    for _ in range(n):
        assessment = Assessment.objects.create(
            community=community, assessed_on="2026-01-05", team="T", method="survey"
        )
        for _ in range(needs):
            Need.objects.create(assessment=assessment, sector="health", description="x")
        made.append(assessment)
    return made


def _needs(n: int) -> None:
    (assessment,) = _assessments(1, needs=0)
    for _ in range(n):
        Need.objects.create(assessment=assessment, sector="wash", description="x")


def _partners(n: int) -> None:
    for _ in range(n):
        Partner.objects.create(name=f"Partner {factories.code()}", kind="ngo")


def _engagements(n: int) -> None:
    partner = Partner.objects.create(name=f"Partner {factories.code()}", kind="lgu")
    community = factories.community()
    for _ in range(n):
        Engagement.objects.create(
            partner=partner, community=community, title="Visit", engaged_on="2026-01-05"
        )


def _ppas(n: int) -> None:
    community = factories.community()
    need = Need.objects.create(
        assessment=factories.assessment(of=community),
        sector="wash",
        description="x",
        status="validated",
    )
    for _ in range(n):
        factories.ppa(communities=[community], needs=[need], updates=2)


def _policies(n: int) -> None:
    need = factories.assessment().needs.get()
    for _ in range(n):
        factories.policy(needs=[need], changes=1, milestones=2)


def _meetings(n: int) -> None:
    community, partner = factories.community(), factories.partner()
    # Someone already there: a new account would reset the cached permissions between counts.
    staff = get_user_model().objects.order_by("pk").first()
    for _ in range(n):
        factories.meeting(
            communities=[community],
            partners=[partner],
            actions=[
                {"what": "Send the minutes", "assignee": staff, "due_on": "2026-12-05"},
                {"what": "Visit", "assignee_name": "Datu Ali, MSSD", "due_on": "2026-12-09"},
            ],
        )


BUILDERS = {
    "/api/v1/places/regions/": _regions,
    "/api/v1/places/provinces/": _provinces,
    "/api/v1/places/municipalities/": _municipalities,
    "/api/v1/places/barangays/": _barangays,
    "/api/v1/communities/": _communities,
    "/api/v1/assessments/": _assessments,
    "/api/v1/needs/": _needs,
    "/api/v1/partners/": _partners,
    "/api/v1/engagements/": _engagements,
    "/api/v1/ppas/": _ppas,
    "/api/v1/policies/": _policies,
    "/api/v1/meetings/": _meetings,
}


# --- the schema -----------------------------------------------------------------------------


def test_the_schema_validates_as_openapi_3_and_generates_without_warnings(tmp_path):
    # --fail-on-warn: an unnamed enum clash or an untyped field stops here, not in a client.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s"))
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_openapi(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearerAuth"]["description"],
    }


def test_every_field_and_operation_is_typed_and_described():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for route, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert operation.get("description"), (method, route)
            for status in ("400", "401", "403", "429"):
                error = operation["responses"][status]["content"]["application/json"]
                assert error["schema"] == {"$ref": "#/components/schemas/Error"}
            assert "text/html" in operation["responses"]["414"]["content"], (method, route)
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (method, route, parameter["name"])
                assert parameter["schema"].get("type"), (method, route, parameter["name"])
    for name, component in schema["components"]["schemas"].items():
        if "enum" in component:
            continue
        assert component.get("description") or name.startswith("Paginated"), name
        for field, prop in component.get("properties", {}).items():
            if name.startswith("Paginated"):
                continue
            assert prop.get("description"), f"{name}.{field} has no description"
            assert prop.get("type") or prop.get("allOf") or prop.get("oneOf"), f"{name}.{field}"
    enums = schema["components"]["schemas"]
    assert enums["VerificationEnum"]["enum"] == ["unverified", "verified", "needs_review"]
    assert set(enums["AssessmentStatusEnum"]["enum"]) == {"draft", "submitted", "validated"}


def test_each_record_type_documents_itself():
    """Docstrings become the schema's descriptions; an undocumented subclass would show its
    base class's notes to partners."""
    from obcms.api.urls import router

    for _, viewset, _ in router.registry:
        assert "__doc__" in vars(viewset) and viewset.__doc__, viewset
        serializer = viewset.serializer_class
        assert "__doc__" in vars(serializer) and serializer.__doc__, serializer


# --- who may do what ------------------------------------------------------------------------


def test_every_operation_refuses_anonymous_expired_and_revoked_tokens(client):
    _, expired = token_for("administrator", expires_at=timezone.now() - timedelta(seconds=1))
    _, revoked = token_for("administrator", revoked_at=timezone.now())
    refusals = {
        "anonymous": ({}, "not_authenticated"),
        "expired": (bearer(expired), "token_expired"),
        "revoked": (bearer(revoked), "token_revoked"),
        "unknown": (bearer("obcms_not-a-token"), "token_unknown"),
    }
    ops = operations()
    assert len(ops) > 30
    for method, url in ops:
        for name, (headers, code) in refusals.items():
            response = getattr(client, method)(url, {}, content_type="application/json", **headers)
            assert response.status_code == 401, (name, method, url)
            assert response.json()["code"] == code, (name, method, url)
            assert response["WWW-Authenticate"].startswith("Bearer")
    for url in (reverse("api:schema"), reverse("api:api-root")):
        assert client.get(url).status_code == 401
        assert client.get(url, **bearer(expired)).status_code == 401


def test_every_write_refuses_a_read_token(client):
    _, secret = token_for("administrator", scope=ApiToken.Scope.READ)
    writes = [(m, u) for m, u in operations() if m in WRITES]
    assert len(writes) >= 15
    for method, url in writes:
        response = getattr(client, method)(
            url, {}, content_type="application/json", **bearer(secret)
        )
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "read_only_token", (method, url)


def test_a_viewers_read_token_is_told_what_a_viewer_can_do_not_to_make_a_read_write_one(client):
    """A viewer cannot create a read-write token: the answer names the role, not the scope."""
    _, secret = token_for("viewer", scope=ApiToken.Scope.READ)
    c = factories.community()
    response = client.patch(
        f"/api/v1/communities/{c.pk}/", {"population": 5}, "application/json", **bearer(secret)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "role_forbids"
    assert "read-write token" not in response.json()["message"]
    assert "ask an administrator" in response.json()["message"]


def test_a_viewers_token_cannot_write_even_if_created_read_write(client):
    _, secret = token_for("viewer", scope=ApiToken.Scope.READ_WRITE)
    c = factories.community()
    for method, url in [(m, u) for m, u in operations() if m in WRITES]:
        response = getattr(client, method)(
            url, {}, content_type="application/json", **bearer(secret)
        )
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "role_forbids", (method, url)
    response = client.patch(
        f"/api/v1/communities/{c.pk}/", {"population": 5}, "application/json", **bearer(secret)
    )
    assert response.status_code == 403
    assert Community.objects.get(pk=c.pk).population is None
    assert client.get("/api/v1/communities/", **bearer(secret)).status_code == 200


def test_only_an_administrator_validates_an_assessment(client):
    (assessment,) = _assessments(1)
    assessment.submit()
    _, encoder = token_for("encoder")
    _, administrator = token_for("administrator")
    url = f"/api/v1/assessments/{assessment.pk}/validate/"
    response = client.post(url, **bearer(encoder))
    assert response.status_code == 403 and response.json()["code"] == "role_forbids"
    response = client.post(url, **bearer(administrator))
    assert response.status_code == 200 and response.json()["status"] == "validated"


def test_a_token_in_the_url_is_never_accepted(client):
    _, secret = token_for("viewer")
    for name in ("token", "access_token", "api_key", "key"):
        assert client.get("/api/v1/communities/", {name: secret}).status_code == 401


def test_the_session_works_for_the_pages_own_use_and_needs_csrf_to_write(client):
    from django.test import Client

    encoder = factories.user("encoder")
    client.force_login(encoder)
    assert client.get("/api/v1/communities/").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(encoder)
    response = strict.post("/api/v1/partners/", {"name": "X", "kind": "ngo"}, "application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert not Partner.objects.exists()


# --- writes: the pages' rules, the pages' history -------------------------------------------


def test_an_encoders_write_lands_with_a_history_row_naming_the_encoder(client):
    encoder, secret = token_for("encoder")
    barangay = factories.place()
    response = client.post(
        "/api/v1/communities/",
        {
            "name": "  Sitio   Salam ",
            "municipality": barangay.municipality_id,
            "barangay": barangay.pk,
            "population": 120,
            "ethnolinguistic_groups": ["Maranao"],
        },
        "application/json",
        **bearer(secret),
    )
    assert response.status_code == 201, response.json()
    community = Community.objects.get(pk=response.json()["id"])
    assert community.name == "Sitio Salam"  # the form's own cleaning
    assert community.created_by == encoder
    assert [g.name for g in community.ethnolinguistic_groups.all()] == ["Maranao"]
    assert last_change_by(community) == encoder

    other = factories.user("encoder")
    _, other_secret = ApiToken.issue(other, "other", scope="read_write")
    response = client.patch(
        f"/api/v1/communities/{community.pk}/",
        {"households": 30, "languages": ["Tausug"]},
        "application/json",
        **bearer(other_secret),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["languages"] == ["Tausug"]
    assert response.json()["population"] == 120  # a PATCH changes only what it names
    assert last_change_by(community) == other


def test_api_writes_leave_no_history_receiver_behind(client):
    """auditlog's actor contexts do not nest (django-auditlog#846): without care each API
    write would leave one more receiver on pre_save for the life of the web process."""
    from django.db.models.signals import pre_save

    encoder, secret = token_for("encoder")
    partner = Partner.objects.create(name="MSSD", kind="barmm")
    url = f"/api/v1/partners/{partner.pk}/"
    client.patch(url, {"acronym": "M0"}, "application/json", **bearer(secret))
    before = len(pre_save.receivers)
    for n in range(1, 4):
        response = client.patch(url, {"acronym": f"M{n}"}, "application/json", **bearer(secret))
        assert response.status_code == 200
    assert len(pre_save.receivers) == before
    assert last_change_by(partner) == encoder


def test_writes_are_refused_with_the_pages_own_messages(client):
    _, secret = token_for("encoder")
    c = factories.community(name="Sitio Salam", population=50)
    elsewhere = factories.place()
    cases = [
        ({"households": 60}, "households", "60 households cannot live in a population of 50"),
        ({"women": 51}, "women", "51 women is more than the population of 50"),
        ({"latitude": 7.5}, "longitude", "Give both latitude and longitude, or neither."),
        ({"barangay": elsewhere.pk}, "barangay", "Select a valid choice"),
        ({"latitude": 35.6, "longitude": 139.7}, "latitude", "outside the Philippines"),
        ({"ethnolinguistic_groups": ["Klingon"]}, "ethnolinguistic_groups", "does not exist"),
    ]
    for change, field, message in cases:
        response = client.patch(
            f"/api/v1/communities/{c.pk}/", change, "application/json", **bearer(secret)
        )
        assert response.status_code == 400, change
        answer = response.json()
        assert answer["code"] == "invalid"
        assert any(message in m for m in answer["errors"][field]), answer
    duplicate = client.post(
        "/api/v1/communities/",
        {"name": "sitio salam", "municipality": c.municipality_id, "barangay": c.barangay_id},
        "application/json",
        **bearer(secret),
    )
    assert duplicate.status_code == 400
    assert "already registered in this barangay" in str(duplicate.json()["errors"])
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    future = client.post(
        "/api/v1/assessments/",
        {"community": c.pk, "assessed_on": tomorrow, "team": "T", "method": "survey"},
        "application/json",
        **bearer(secret),
    )
    assert future.status_code == 400
    assert future.json()["errors"]["assessed_on"] == [
        "An assessment cannot be dated in the future."
    ]
    partner = client.post(
        "/api/v1/partners/",
        {"name": "MSSD", "kind": "barmm", "website": "mssd.bangsamoro.gov.ph"},
        "application/json",
        **bearer(secret),
    )
    assert partner.status_code == 201
    assert partner.json()["website"] == "https://mssd.bangsamoro.gov.ph"  # the form's rule


def test_an_assessment_is_edited_only_as_a_draft_and_submitted_by_action(client):
    _, secret = token_for("encoder")
    (assessment,) = _assessments(1, needs=0)
    submit = f"/api/v1/assessments/{assessment.pk}/submit/"
    response = client.post(submit, **bearer(secret))
    assert response.status_code == 400
    assert response.json()["errors"]["status"] == ["Record at least one need before submitting."]
    need = client.post(
        "/api/v1/needs/",
        {"assessment": assessment.pk, "sector": "wash", "description": "A spring", "priority": 1},
        "application/json",
        **bearer(secret),
    )
    assert need.status_code == 201, need.json()
    assert client.post(submit, **bearer(secret)).json()["status"] == "submitted"
    for url, change in (
        (f"/api/v1/assessments/{assessment.pk}/", {"team": "Other"}),
        (f"/api/v1/needs/{need.json()['id']}/", {"priority": 3}),
    ):
        response = client.patch(url, change, "application/json", **bearer(secret))
        assert response.status_code == 400
        assert "Only a draft can be edited" in str(response.json()["errors"])
    assert Assessment.objects.get(pk=assessment.pk).team == "T"


# --- reads: lists, filters, cursor ----------------------------------------------------------


@pytest.mark.parametrize("url", sorted(BUILDERS))
def test_the_list_uses_the_same_number_of_queries_for_5_or_50_rows(client, url):
    _, secret = token_for("viewer")
    build = BUILDERS[url]
    build(5)
    client.get(url, **bearer(secret))  # warm: the token's last-used time is written once

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": 100}, **bearer(secret))
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    few, rows_few = count()
    build(45)
    many, rows_many = count()
    assert rows_many >= rows_few + 45
    assert few == many, f"{url}: {few} queries for {rows_few} rows, {many} for {rows_many}"


def test_every_list_endpoint_has_a_builder():
    lists = {u for m, u in operations() if m == "get" and not re.search(r"/1/", u)}
    assert lists == set(BUILDERS), "add a builder to BUILDERS for each new list endpoint"


def test_communities_come_with_their_place_and_profile(client):
    _, secret = token_for("viewer")
    _communities(1)
    (row,) = client.get("/api/v1/communities/", **bearer(secret)).json()["results"]
    community = Community.objects.get()
    assert row["place"]["barangay"]["name"] == community.barangay.name
    assert row["place"]["region"]["name"] == community.municipality.region.name
    assert row["ethnolinguistic_groups"] == ["Maranao"]
    assert row["contacts"][0]["name"] == "Datu Ali"
    assert set(row) >= {"latitude", "archived_at", "archived_by", "archive_reason"}


def test_a_community_carries_its_full_profile_with_services_rated(client):
    from obcms.communities.forms import CommunityForm
    from obcms.communities.models import SERVICES

    _, secret = token_for("encoder")
    c = factories.community(population=300, access_potable_water="available", mosques=2)
    url = f"/api/v1/communities/{c.pk}/"
    row = client.get(url, **bearer(secret)).json()
    assert set(CommunityForm.Meta.fields) <= set(row)
    assert len(CommunityForm.Meta.fields) > 40
    assert row["access_potable_water"] == "available" and row["mosques"] == 2
    assert row["access_electricity"] == "" and row["women"] is None  # unknown stays unknown
    change = {"access_electricity": "poor", "women": 160, "lgu_relationship": "fair"}
    response = client.patch(url, change, "application/json", **bearer(secret))
    assert response.status_code == 200, response.json()
    assert {k: response.json()[k] for k in change} == change
    for field, value in (("access_sanitation", "yes"), ("settlement_type", "suburb")):
        response = client.patch(url, {field: value}, "application/json", **bearer(secret))
        assert response.status_code == 400 and list(response.json()["errors"]) == [field]
    schema = SchemaGenerator().get_schema(request=None, public=True)
    rating = schema["components"]["schemas"]["RatingEnum"]["enum"]
    assert rating == ["excellent", "good", "fair", "poor", "none", "available"]
    properties = schema["components"]["schemas"]["Community"]["properties"]
    for name in SERVICES:
        assert {"$ref": "#/components/schemas/RatingEnum"} in properties[name]["oneOf"]
    assert "At most the population" in properties["women"]["description"]


def test_filters_match_the_list_page_and_name_a_malformed_parameter(client):
    _, secret = token_for("viewer")
    factories.communities_in_one_barangay(3, region_short="XII")
    factories.community(name="Elsewhere")
    region = Region.objects.get(short_name="XII")
    auth = bearer(secret)

    def names(**params):
        response = client.get("/api/v1/communities/", params, **auth)
        assert response.status_code == 200, response.json()
        return sorted(r["name"] for r in response.json()["results"])

    assert names(region=region.pk) == ["Purok 0", "Purok 1", "Purok 2"]
    assert names(group="Maranao") == ["Purok 0", "Purok 1", "Purok 2"]
    assert names(q="elsew") == ["Elsewhere"]
    assert names(q="purok", shoe_size="42", format="xml") == ["Purok 0", "Purok 1", "Purok 2"]
    for params, name in (
        ({"region": "abc"}, "region"),
        ({"region": "999999"}, "region"),
        ({"verification": "maybe"}, "verification"),
        ({"incomplete": "perhaps"}, "incomplete"),
        ({"updated_after": "yesterday"}, "updated_after"),
        ({"group": "Mara\x00nao"}, "group"),
        ({"ordering": "population"}, "ordering"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "5000"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ):
        response = client.get("/api/v1/communities/", params, **auth)
        assert response.status_code == 400, params
        assert list(response.json()["errors"]) == [name], response.json()


def test_a_forged_cursor_is_a_400_not_a_server_error(client):
    import base64

    _, secret = token_for("viewer")
    factories.community()
    for position in ("abc", "1\x00"):
        forged = base64.b64encode(f"p={position}".encode()).decode()
        response = client.get("/api/v1/communities/", {"cursor": forged}, **bearer(secret))
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["cursor"]


def test_a_garbage_cursor_is_a_400_not_the_first_page_again(client):
    """DRF decodes any base64 without o=, r= or p= to the first page: a program following a
    mangled 'next' link would read page 1 forever."""
    import base64

    _, secret = token_for("viewer")
    factories.community()
    garbage = ["eyJ4Ijoi", base64.b64encode(b"o=1&o=2").decode(), "cD0x!!", "%%%"]
    for cursor in garbage:
        response = client.get("/api/v1/communities/", {"cursor": cursor}, **bearer(secret))
        assert response.status_code == 400, cursor
        assert response.json()["code"] == "invalid"
        assert list(response.json()["errors"]) == ["cursor"]
    for cursor in ("", base64.b64encode(b"p=1").decode()):
        response = client.get("/api/v1/communities/", {"cursor": cursor}, **bearer(secret))
        assert response.status_code == 200, cursor


def test_the_cursor_neither_skips_nor_repeats_while_records_are_added(client):
    _, secret = token_for("viewer")
    barangay = factories.place()
    for name in ("B", "D", "F", "H"):
        factories.community(name=name, barangay=barangay)
    auth = bearer(secret)
    first = client.get("/api/v1/communities/", {"ordering": "name", "page_size": 2}, **auth)
    seen = [r["name"] for r in first.json()["results"]]
    factories.community(name="A", barangay=barangay)  # before the cursor: not shown again
    factories.community(name="E", barangay=barangay)  # after it: shown in its place
    url = first.json()["next"]
    while url:
        page = client.get(url, **auth).json()
        seen += [r["name"] for r in page["results"]]
        url = page["next"]
    assert seen == ["B", "D", "E", "F", "H"]


def test_pages_hold_100_rows_by_default(client):
    _, secret = token_for("viewer")
    _partners(101)
    page = client.get("/api/v1/partners/", **bearer(secret)).json()
    assert len(page["results"]) == 100 and page["next"] and page["previous"] is None


# --- archive: current records unless asked, administrators archive and restore ------------

ARCHIVABLE = {
    "/api/v1/communities/": factories.community,
    "/api/v1/assessments/": factories.assessment,
    "/api/v1/partners/": factories.partner,
    "/api/v1/engagements/": factories.engagement,
    "/api/v1/ppas/": factories.ppa,
}


def test_every_list_of_archivable_records_has_the_pages_archive_filter():
    """A list whose FilterSet forgot the page's ``archived`` filter would show archived rows:
    the archive rule of lists lives in that filter (records.listing.RecordFilterSet)."""
    from obcms.api.urls import router
    from obcms.records.archive import ArchivableQuerySet

    archivable = [
        viewset
        for _, viewset, _ in router.registry
        if isinstance(viewset().records(), ArchivableQuerySet)
    ]
    # communities, assessments, needs, partners, engagements, PPAs, policies, meetings
    assert len(archivable) == 8
    for viewset in archivable:
        assert "archived" in viewset.filterset_class.base_filters, viewset


@pytest.mark.parametrize("url", sorted(ARCHIVABLE))
def test_an_archived_record_is_read_only_when_asked_for_and_otherwise_absent(client, url):
    administrator, secret = token_for("administrator")
    auth = bearer(secret)
    kept, gone = ARCHIVABLE[url](), ARCHIVABLE[url]()
    gone.archive(administrator, "A duplicate")

    def ids(**params) -> list[int]:
        response = client.get(url, params, **auth)
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids() == [kept.pk]
    assert ids(archived="archived") == [gone.pk]
    assert ids(archived="all") == sorted([kept.pk, gone.pk])
    record = f"{url}{gone.pk}/"
    hidden = client.get(record, **auth)
    assert hidden.status_code == 404 and "?archived=archived" in hidden.json()["message"]
    shown = client.get(record, {"archived": "archived"}, **auth).json()
    assert shown["archive_reason"] == "A duplicate" and shown["archived_at"]
    assert shown["archived_by"] == administrator.username
    assert client.get(f"{url}{kept.pk}/", {"archived": "all"}, **auth).status_code == 200
    refused = client.patch(record, {}, "application/json", **auth)
    assert refused.status_code == 404 and "restores it" in refused.json()["message"]
    for target in (url, record):
        bad = client.get(target, {"archived": "maybe"}, **auth)
        assert bad.status_code == 400 and list(bad.json()["errors"]) == ["archived"]


def test_what_belongs_to_an_archived_record_leaves_the_lists_with_it(client):
    administrator, secret = token_for("administrator")
    (assessment, other) = _assessments(2, needs=1)
    assessment.community = factories.community()
    assessment.save()
    assessment.community.archive(administrator, "Entered twice")
    auth = bearer(secret)
    listed = client.get("/api/v1/needs/", **auth).json()["results"]
    assert [row["assessment"] for row in listed] == [other.pk]
    hidden = client.get("/api/v1/assessments/", {"archived": "archived"}, **auth).json()
    assert [row["id"] for row in hidden["results"]] == [assessment.pk]


def test_administrators_archive_and_restore_and_encoders_cannot(client):
    administrator, secret = token_for("administrator")
    _, encoder = token_for("encoder")
    c = factories.community(name="Sitio Twice")
    archive, restore = (
        f"/api/v1/communities/{c.pk}/archive/",
        f"/api/v1/communities/{c.pk}/restore/",
    )
    reason = {"reason": "Duplicate of Sitio Once"}
    for url in (archive, restore):
        response = client.post(url, reason, "application/json", **bearer(encoder))
        assert response.status_code == 403 and response.json()["code"] == "role_forbids"
    blank = client.post(archive, {"reason": "  "}, "application/json", **bearer(secret))
    assert blank.status_code == 400 and list(blank.json()["errors"]) == ["reason"]

    archived = client.post(archive, reason, "application/json", **bearer(secret))
    assert archived.status_code == 200, archived.json()
    assert archived.json()["archive_reason"] == "Duplicate of Sitio Once"
    assert last_change_by(c) == administrator
    assert client.get("/api/v1/communities/", **bearer(secret)).json()["results"] == []
    again = client.post(archive, reason, "application/json", **bearer(secret))
    assert again.status_code == 404

    restored = client.post(restore, **bearer(secret))
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    listed = client.get("/api/v1/communities/", **bearer(secret)).json()["results"]
    assert [row["name"] for row in listed] == ["Sitio Twice"]
    not_archived = client.post(restore, **bearer(secret))
    assert not_archived.status_code == 404 and "not archived" in not_archived.json()["message"]


def test_new_records_cannot_belong_to_an_archived_or_inactive_one(client):
    administrator, secret = token_for("administrator")
    c = factories.community()
    gone, retired, archived = factories.community(), factories.partner(), factories.partner()
    gone.archive(administrator, "Gone")
    archived.archive(administrator, "Merged")
    retired.is_active = False
    retired.save()
    engagement = {"title": "Visit", "engaged_on": "2026-01-05", "status": "planned"}
    cases = [
        (
            "/api/v1/assessments/",
            {"community": gone.pk, "assessed_on": "2026-01-05", "team": "T", "method": "survey"},
            "community",
        ),
        (
            "/api/v1/engagements/",
            {**engagement, "community": gone.pk, "partner": factories.partner().pk},
            "community",
        ),
        (
            "/api/v1/engagements/",
            {**engagement, "community": c.pk, "partner": retired.pk},
            "partner",
        ),
        (
            "/api/v1/engagements/",
            {**engagement, "community": c.pk, "partner": archived.pk},
            "partner",
        ),
    ]
    for url, body, field in cases:
        response = client.post(url, body, "application/json", **bearer(secret))
        assert response.status_code == 400, (url, body)
        assert list(response.json()["errors"]) == [field], response.json()


# --- workflows: return to draft, close with an outcome, partner activity --------------------


def test_an_administrator_returns_a_submitted_assessment_with_a_reason(client):
    administrator, secret = token_for("administrator")
    _, encoder = token_for("encoder")
    (assessment,) = _assessments(1)
    assessment.submit()
    url = f"/api/v1/assessments/{assessment.pk}/return/"
    reason = {"reason": "Add the madrasah teachers' needs."}
    refused = client.post(url, reason, "application/json", **bearer(encoder))
    assert refused.status_code == 403 and refused.json()["code"] == "role_forbids"
    blank = client.post(url, {"reason": ""}, "application/json", **bearer(secret))
    assert blank.status_code == 400 and list(blank.json()["errors"]) == ["reason"]

    returned = client.post(url, reason, "application/json", **bearer(secret))
    assert returned.status_code == 200, returned.json()
    answer = returned.json()
    assert answer["status"] == "draft" and answer["returned_at"]
    assert answer["returned_reason"] == "Add the madrasah teachers' needs."
    assert answer["returned_by"] == administrator.username
    assert last_change_by(assessment) == administrator
    listed = client.get("/api/v1/assessments/", {"returned": "true"}, **bearer(encoder)).json()
    assert [row["id"] for row in listed["results"]] == [assessment.pk]
    twice = client.post(url, reason, "application/json", **bearer(secret))
    assert twice.status_code == 400
    assert twice.json()["errors"]["status"] == [
        "Only a submitted assessment can be returned to draft."
    ]
    ignored = client.patch(
        f"/api/v1/assessments/{assessment.pk}/",
        {"returned_reason": "", "team": "B"},
        "application/json",
        **bearer(encoder),
    )
    assert ignored.status_code == 200 and ignored.json()["returned_reason"] == reason["reason"]


def test_closing_an_engagement_records_its_outcome_and_stops_its_reminders(client):
    from django.core import mail

    from obcms.reports.tasks import send_reminders

    encoder, secret = token_for("encoder")
    _, viewer = token_for("viewer")
    yesterday = timezone.localdate() - timedelta(days=1)
    engagement = factories.engagement(
        title="Relief follow-up", follow_up_on=yesterday, created_by=encoder
    )
    url = f"/api/v1/engagements/{engagement.pk}/close/"
    outcome = {"outcome": "120 households received relief packs."}
    assert client.post(url, outcome, "application/json", **bearer(viewer)).status_code == 403
    blank = client.post(url, {"outcome": " "}, "application/json", **bearer(secret))
    assert blank.status_code == 400 and list(blank.json()["errors"]) == ["outcome"]

    closed = client.post(url, outcome, "application/json", **bearer(secret))
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "completed" and closed.json()["closed_at"]
    assert closed.json()["outcome"] == outcome["outcome"]
    assert last_change_by(engagement) == encoder
    twice = client.post(url, outcome, "application/json", **bearer(secret))
    assert twice.status_code == 400 and twice.json()["errors"]["status"]
    send_reminders()
    assert not any("Relief follow-up" in message.body for message in mail.outbox)


def test_a_partner_is_marked_inactive_and_filtered_as_on_the_page(client):
    _, secret = token_for("encoder")
    partner = factories.partner(name="MSSD")
    factories.partner(name="MAFAR")
    url = f"/api/v1/partners/{partner.pk}/"
    response = client.patch(url, {"is_active": False}, "application/json", **bearer(secret))
    assert response.status_code == 200 and response.json()["is_active"] is False
    inactive = client.get("/api/v1/partners/", {"is_active": "no"}, **bearer(secret)).json()
    assert [row["name"] for row in inactive["results"]] == ["MSSD"]


# --- filters: the list pages' own -----------------------------------------------------------


def test_the_api_filters_exactly_as_the_list_pages_do(client):
    from obcms.assessments.filters import AssessmentFilter
    from obcms.communities.filters import CommunityFilter
    from obcms.coordination.filters import EngagementFilter, PartnerFilter

    administrator, secret = token_for("administrator")
    factories.communities_in_one_barangay(3, region_short="XII")
    Community.objects.update(missing_fields=["population"])
    salam = factories.community(name="Sitio Salam", other_names="Bagong Salam", population=9)
    Community.objects.filter(pk=salam.pk).update(verification="verified")
    gone = factories.community(name="Sitio Salam Luma")
    gone.archive(administrator, "Duplicate")
    (first, second) = _assessments(2)
    Assessment.objects.filter(pk=first.pk).update(team="Team Alpha", status="submitted")
    second.community = salam
    second.save()
    factories.partner(name="MSSD Relief", kind="barmm")
    factories.partner(name="Kalinaw NGO", is_active=False, contact_person="Salam")
    overdue = timezone.localdate() - timedelta(days=3)
    factories.engagement(of=salam, title="Water follow-up", follow_up_on=overdue)
    factories.engagement(title="Scholarship", status="ongoing")
    group = Community.objects.get(name="Purok 0").ethnolinguistic_groups.get()
    region = Region.objects.get(short_name="XII")
    cases = [
        ("communities", CommunityFilter, Community, {"q": "salam"}),
        ("communities", CommunityFilter, Community, {"q": "bagong"}),
        ("communities", CommunityFilter, Community, {"region": region.pk}),
        ("communities", CommunityFilter, Community, {"group": group.pk}),
        ("communities", CommunityFilter, Community, {"verification": "verified"}),
        ("communities", CommunityFilter, Community, {"incomplete": "true"}),
        ("communities", CommunityFilter, Community, {"archived": "archived"}),
        ("assessments", AssessmentFilter, Assessment, {"status": "submitted"}),
        ("assessments", AssessmentFilter, Assessment, {"team": "alpha"}),
        ("assessments", AssessmentFilter, Assessment, {"q": "salam"}),
        ("partners", PartnerFilter, Partner, {"q": "salam"}),
        ("partners", PartnerFilter, Partner, {"is_active": "no"}),
        ("partners", PartnerFilter, Partner, {"kind": "barmm"}),
        ("engagements", EngagementFilter, Engagement, {"community": "salam"}),
        ("engagements", EngagementFilter, Engagement, {"follow_up": "overdue"}),
        ("engagements", EngagementFilter, Engagement, {"q": "water", "status": "planned"}),
    ]
    for endpoint, page_filters, model, params in cases:
        everything = model.objects.all()
        on_the_page = {r.pk for r in page_filters(params, queryset=everything).qs}
        assert 0 < len(on_the_page) < everything.count(), (endpoint, params)
        response = client.get(
            f"/api/v1/{endpoint}/", {**params, "page_size": 1000}, **bearer(secret)
        )
        assert response.status_code == 200, (endpoint, params, response.json())
        assert {row["id"] for row in response.json()["results"]} == on_the_page, params


def test_page_filters_name_their_malformed_values_and_take_odd_ones(client):
    _, secret = token_for("viewer")
    factories.engagement()
    for url, params, name in (
        ("/api/v1/partners/", {"is_active": "maybe"}, "is_active"),
        ("/api/v1/engagements/", {"follow_up": "soon"}, "follow_up"),
        ("/api/v1/engagements/", {"partner": "x"}, "partner"),
        ("/api/v1/assessments/", {"returned": "perhaps"}, "returned"),
        ("/api/v1/assessments/", {"region": "²"}, "region"),
        ("/api/v1/assessments/", {"team": "T" * 101}, "team"),
        ("/api/v1/communities/", {"group": "Klingon"}, "group"),
        ("/api/v1/needs/", {"archived": "yes"}, "archived"),
    ):
        response = client.get(url, params, **bearer(secret))
        assert response.status_code == 400, (url, params)
        assert list(response.json()["errors"]) == [name], response.json()
    for odd in ("²", "99999999999999999999999", "A&B #1 +x ñ"):
        response = client.get("/api/v1/engagements/", {"community": odd}, **bearer(secret))
        assert response.status_code == 200 and response.json()["results"] == [], odd


# --- errors ---------------------------------------------------------------------------------


def test_errors_are_json_of_one_shape(client):
    _, secret = token_for("encoder")
    auth = bearer(secret)
    answers = {
        "no endpoint": client.get("/api/v1/nothing-here/", **auth),
        "no slash": client.post("/api/v1/partners", {}, "application/json", **auth),
        "no record": client.get("/api/v1/partners/987654/", **auth),
        "huge id": client.get("/api/v1/partners/99999999999999999999999/", **auth),
        "not an id": client.get("/api/v1/partners/abc/", **auth),
        "no delete": client.delete("/api/v1/partners/1/", **auth),
        "bad json": client.post("/api/v1/partners/", "{", "application/json", **auth),
        "not json": client.post("/api/v1/partners/", "name=X", "text/plain", **auth),
        "wants html": client.get("/api/v1/partners/", HTTP_ACCEPT="text/html", **auth),
    }
    expected = {
        "no endpoint": (404, "not_found"),
        "no slash": (404, "not_found"),
        "no record": (404, "not_found"),
        "huge id": (404, "not_found"),
        "not an id": (404, "not_found"),
        "no delete": (405, "method_not_allowed"),
        "bad json": (400, "parse_error"),
        "not json": (415, "unsupported_media_type"),
        "wants html": (200, None),
    }
    for name, response in answers.items():
        status, code = expected[name]
        assert response.status_code == status, name
        assert response["Content-Type"] == "application/json", name
        if code:
            assert set(response.json()) == {"code", "message", "errors"}, name
            assert response.json()["code"] == code, name
    assert "trailing slash" in answers["no slash"].json()["message"]


def boom(request):
    raise RuntimeError("a bug")


@api_view(["GET"])
@permission_classes([AllowAny])
def boom_api(request):
    raise RuntimeError("a bug in an API view")


urlpatterns = [
    path("api/v1/boom/", boom_api),
    path("boom/", boom),
    *site_urls,
]
handler500 = "obcms.api.errors.server_error"


@pytest.mark.urls(__name__)
def test_a_server_error_is_json_under_api_and_the_html_page_elsewhere(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "a bug" not in response.content.decode()
    page = client.get("/boom/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")


# --- throttles ------------------------------------------------------------------------------


def test_a_token_over_its_rate_gets_429_with_retry_after(client, settings):
    settings.API_THROTTLE_RATE = "3/min"
    _, secret = token_for("viewer")
    cache.delete(cache_key("token", str(ApiToken.objects.get().pk)))  # a reused id's count
    statuses = [client.get("/api/v1/partners/", **bearer(secret)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/partners/", **bearer(secret))
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    owner, other = token_for("viewer")
    cache.delete(cache_key("token", str(ApiToken.objects.get(owner=owner).pk)))
    assert client.get("/api/v1/partners/", **bearer(other)).status_code == 200


def test_guessing_tokens_is_throttled_per_address(client, settings):
    settings.API_ADDRESS_THROTTLE_RATE = "5/min"
    statuses = [
        client.get("/api/v1/partners/", **bearer(f"obcms_guess{i}")).status_code for i in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    elsewhere = client.get("/api/v1/partners/", REMOTE_ADDR="192.0.2.9")
    assert elsewhere.status_code == 401


# --- tokens ---------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(client):
    encoder = factories.user("encoder")
    client.force_login(encoder)
    page = client.post(
        reverse("tokens:list"), {"name": "pandas", "scope": "read_write", "lifetime": "30"}
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    secret = re.search(r'<code class="secret">(obcms_[\w-]+)</code>', page.content.decode())[1]
    token = ApiToken.objects.get()
    assert token.key_hash == hash_secret(secret)
    stored = " ".join(str(v) for v in ApiToken.objects.values().get().values())
    assert secret not in stored and secret[len(token.prefix) :] not in stored
    assert token.prefix == secret[: len(token.prefix)] and token.scope == "read_write"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    again = client.get(reverse("tokens:list")).content.decode()
    assert secret not in again and token.prefix in again
    assert client.get("/api/v1/partners/", **bearer(secret)).status_code == 200


def test_a_viewer_is_offered_read_tokens_only(client):
    client.force_login(factories.user("viewer"))
    page = client.get(reverse("tokens:list")).content.decode()
    assert 'value="read"' in page and 'value="read_write"' not in page
    client.post(reverse("tokens:list"), {"name": "x", "scope": "read_write", "lifetime": ""})
    assert not ApiToken.objects.exists()


def test_staff_revoke_their_own_tokens_only(client):
    owner, secret = token_for("viewer")
    token = ApiToken.objects.get(owner=owner)
    client.force_login(factories.user("viewer"))
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    client.force_login(owner)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked
    response = client.get("/api/v1/partners/", **bearer(secret))
    assert response.status_code == 401 and response.json()["code"] == "token_revoked"


def test_last_used_is_written_at_most_once_a_minute(client):
    _, secret = token_for("viewer")
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    client.get("/api/v1/partners/", **bearer(secret))
    first = ApiToken.objects.get().last_used_at
    client.get("/api/v1/partners/", **bearer(secret))
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/partners/", **bearer(secret))
    assert ApiToken.objects.get().last_used_at > first


def test_a_disabled_accounts_tokens_stop_working(client):
    owner, secret = token_for("encoder")
    owner.is_active = False
    owner.save()
    response = client.get("/api/v1/partners/", **bearer(secret))
    assert response.status_code == 401 and response.json()["code"] == "account_disabled"


# --- docs -----------------------------------------------------------------------------------


def test_the_docs_page_has_no_inline_script_and_needs_sign_in(client):
    docs = reverse("api:docs")
    assert client.get(docs)["Location"].startswith(reverse("login"))
    client.force_login(factories.user("viewer"))
    page = client.get(docs)
    assert page.status_code == 200
    html = page.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 3
    for attributes, inline in scripts:
        assert 'src="' in attributes and not inline.strip()
        source = re.search(r'src="([^"]+)"', attributes)[1]
        assert source.startswith(("/static/", docs)), source
    script = client.get(docs, {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_malformed_throttle_rate_stops_the_process_with_one_clear_line(tmp_path):
    from tests.support.processes import base_env, manage

    result = manage(
        "check", env=base_env(DEBUG="true", DATA_DIR=str(tmp_path), API_THROTTLE_RATE="fast")
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "obcms: API_THROTTLE_RATE: expected a rate like 120/min, got 'fast'" in result.stderr
