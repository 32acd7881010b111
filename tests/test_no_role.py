"""A signed-in person without a role (hardening issue, finding 8) sees a page telling them to
ask an administrator, not the dashboard's figures."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.support import factories

pytestmark = pytest.mark.django_db


def test_a_person_without_a_role_is_told_to_ask_for_one(client):
    factories.community(name="Purok Kalilintad", population=420)
    nobody = get_user_model().objects.create_user("no-role", password="a-long-test-password")
    client.force_login(nobody)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert b"Ask an administrator for a role" in response.content
    assert b"420" not in response.content and b"Purok" not in response.content


def test_a_viewer_still_sees_the_dashboard(client):
    client.force_login(factories.user("viewer"))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"Ask an administrator for a role" not in response.content


def test_the_remembered_role_follows_every_change_of_role(client):
    """The start page asks for the role on every view, from the cache: given, taken away, its
    group renamed, each seen on the next view."""
    from django.contrib.auth.models import Group

    person = get_user_model().objects.create_user("later", password="a-long-test-password")
    client.force_login(person)
    home = reverse("home")
    assert client.get(home).status_code == 403
    assert client.get(home).status_code == 403  # now remembered
    viewer = Group.objects.get(name="viewer")
    person.groups.add(viewer)
    assert client.get(home).status_code == 200
    viewer.name = "former viewers"  # no longer a role
    viewer.save()
    assert client.get(home).status_code == 403
    viewer.name = "viewer"
    viewer.save()
    assert client.get(home).status_code == 200
    person.groups.remove(viewer)
    assert client.get(home).status_code == 403
