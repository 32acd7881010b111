"""Meetings: the form with its action items, Philippine times stored in UTC, the list's
filters, ticking an action item done, and the meetings on community and partner pages."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from obcms.meetings.models import ActionItem, Meeting
from tests.support import factories

pytestmark = pytest.mark.django_db


def _post_data(community, partner, colleague, **changes) -> dict:
    return {
        "title": "Consultation on the madrasah program",
        "kind": "consultation",
        "starts_at": "2026-12-01T09:00",  # Philippine time, as the browser sends it
        "ends_at": "2026-12-01T11:30",
        "venue": "Barangay hall",
        "online_link": "",
        "partners": [partner.pk],
        "communities": [community.pk],
        "participants": "Datu Ali, Barangay council\nAmina Usman, MBHTE",
        "participants_female": "",
        "participants_male": "",
        "agenda": "1. Enrolment",
        "minutes": "Agreed to list the teachers.",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        "actions-0-what": "Send the list of teachers",
        "actions-0-assignee": "",
        "actions-0-assignee_name": "Amina Usman, MBHTE",
        "actions-0-due_on": "2026-12-15",
        "actions-1-what": "Draft the memorandum",
        "actions-1-assignee": colleague.pk,
        "actions-1-assignee_name": "",
        "actions-1-due_on": "2026-12-10",
        **changes,
    }


def test_an_encoder_records_a_meeting_in_philippine_time_with_its_action_items(client):
    encoder = factories.user("encoder")
    colleague = factories.user("encoder", username="colleague")
    community = factories.community(name="Sitio Kalilintad")
    partner = factories.partner(name="MBHTE")
    client.force_login(encoder)

    refused = client.post(
        reverse("meetings:meeting_create"),
        _post_data(community, partner, colleague, ends_at="2026-12-01T08:00", venue=""),
    )
    assert refused.status_code == 200
    assert "cannot end before it starts" in refused.content.decode()
    assert "Give a venue, an online link" in refused.content.decode()
    assert not Meeting.objects.exists()

    response = client.post(
        reverse("meetings:meeting_create"), _post_data(community, partner, colleague)
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    # 09:00 in Manila (UTC+8) is 01:00 UTC.
    assert meeting.starts_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert meeting.created_by == encoder
    items = {i.what: i for i in ActionItem.objects.all()}
    assert items["Draft the memorandum"].assignee == colleague
    assert items["Send the list of teachers"].assignee_name == "Amina Usman, MBHTE"

    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "1 December 2026, 09:00" in page and "11:30" in page
    assert "Amina Usman</li>" not in page and "Amina Usman, MBHTE" in page

    for url in (community.get_absolute_url(), partner.get_absolute_url()):
        assert "Consultation on the madrasah program" in client.get(url).content.decode()

    item = items["Draft the memorandum"]
    client.post(reverse("meetings:action_done", args=[item.pk]), {"done": "1"})
    item.refresh_from_db()
    assert item.done and item.done_at


def test_an_action_item_needs_someone_to_do_it(client):
    client.force_login(factories.user("encoder"))
    colleague = factories.user("viewer")
    data = _post_data(
        factories.community(), factories.partner(), colleague, **{"actions-0-assignee_name": ""}
    )
    response = client.post(reverse("meetings:meeting_create"), data)
    assert "Say who does it" in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_meeting_list_filters_by_kind_and_region_and_leaves_archived_meetings_out(client):
    in_ix = factories.community(barangay=factories.place("IX"))
    in_xii = factories.community(barangay=factories.place("XII"))
    workshop = factories.meeting(kind="workshop", communities=[in_ix])
    visit = factories.meeting(kind="field_visit", communities=[in_xii])
    archived = factories.meeting(kind="workshop", communities=[in_ix])
    archived.archive(None, "duplicate")
    client.force_login(factories.user("viewer"))
    url = reverse("meetings:meetings")

    def listed(params: dict) -> set[int]:
        return {m.pk for m in client.get(url, params).context["page"]}

    assert listed({}) == {workshop.pk, visit.pk}
    assert listed({"kind": "workshop"}) == {workshop.pk}
    assert listed({"region": in_xii.municipality.region_id}) == {visit.pk}
    assert listed({"archived": "archived"}) == {archived.pk}
    assert listed({"kind": "no-such-kind"}) == {workshop.pk, visit.pk}


def test_a_viewer_reads_meetings_but_cannot_tick_an_action_item(client):
    meeting = factories.meeting(
        actions=[{"what": "Call the mayor", "assignee_name": "X", "due_on": date(2026, 12, 3)}]
    )
    client.force_login(factories.user("viewer"))
    assert client.get(meeting.get_absolute_url()).status_code == 200
    item = meeting.action_items.get()
    assert (
        client.post(reverse("meetings:action_done", args=[item.pk]), {"done": "1"}).status_code
        == 403
    )
    item.refresh_from_db()
    assert not item.done


def test_the_form_opens_with_the_community_chosen_and_edits_keep_the_action_items(client):
    client.force_login(factories.user("encoder"))
    community = factories.community(name="Sitio Kalilintad")
    form = client.get(reverse("meetings:meeting_create"), {"community": community.pk})
    assert form.status_code == 200
    assert form.context["form"]["communities"].value() == [str(community.pk)]
    assert 'type="datetime-local"' in form.content.decode()
    assert f'<option value="{community.pk}" selected>Sitio Kalilintad' in form.content.decode()
    assert '<select name="communities" size="10" multiple' in form.content.decode().replace(
        ' id="id_communities"', ""
    )

    meeting = factories.meeting(
        actions=[{"what": "Call the mayor", "assignee_name": "X", "due_on": date(2026, 12, 3)}]
    )
    page = client.get(reverse("meetings:meeting_edit", args=[meeting.pk]))
    data = factories.form_data(page.context["form"])
    data.update(factories.form_data(page.context["actions"].management_form))
    for item in page.context["actions"]:
        data.update(factories.form_data(item))
    data["title"] = "Renamed"
    data["partners"] = []
    data["communities"] = []
    response = client.post(reverse("meetings:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.title == "Renamed"
    assert meeting.starts_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # round trip
    assert list(meeting.action_items.values_list("what", flat=True)) == ["Call the mayor"]


@pytest.mark.parametrize("still_staff", [True, False], ids=["staff", "left the staff"])
def test_a_meeting_whose_action_item_is_assigned_to_a_colleague_opens_and_saves(
    client, still_staff
):
    """The assignee list (staff, made distinct over their groups) plus the current assignee:
    combining the two once gave a 500 on every such meeting's edit page."""
    client.force_login(factories.user("encoder"))
    colleague = factories.user("encoder", username="colleague")
    if not still_staff:
        colleague.groups.clear()
    meeting = factories.meeting(
        actions=[{"what": "Call the mayor", "assignee": colleague, "due_on": date(2026, 12, 3)}]
    )
    url = reverse("meetings:meeting_edit", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == 200
    item = page.context["actions"].forms[0]
    assert colleague in item.fields["assignee"].queryset
    data = factories.form_data(page.context["form"])
    data.update(factories.form_data(page.context["actions"].management_form))
    for form in page.context["actions"]:
        data.update(factories.form_data(form))
    data["title"] = "Renamed"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert meeting.action_items.get().assignee == colleague
    assert Meeting.objects.get().title == "Renamed"
