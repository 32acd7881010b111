"""Partners and engagements: the lists, edits, deactivation, and closing an engagement with its
outcome, which stops its reminders."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from obcms.coordination.forms import EngagementForm
from obcms.coordination.models import Engagement
from obcms.reminders.models import ReminderDay
from obcms.reports.tasks import send_reminders
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_closing_an_engagement_with_its_outcome_stops_its_reminders(client):
    encoder = factories.user("encoder")
    yesterday = timezone.localdate() - timedelta(days=1)
    closing = factories.engagement(
        title="Relief follow-up", follow_up_on=yesterday, created_by=encoder
    )
    factories.engagement(title="Scholarship follow-up", follow_up_on=yesterday, created_by=encoder)
    send_reminders()
    assert "Relief follow-up" in mail.outbox[0].body

    client.force_login(encoder)
    url = reverse("coordination:engagement_close", args=[closing.pk])
    refused = client.post(url, {"outcome": ""}, follow=True)
    assert "the outcome is required" in refused.content.decode()
    client.post(url, {"outcome": "120 households received relief packs."})
    closing.refresh_from_db()
    assert closing.status == Engagement.Status.COMPLETED and closing.closed_at
    assert closing.outcome == "120 households received relief packs."

    mail.outbox.clear()
    ReminderDay.objects.all().delete()  # the next day: reminders go once a day
    send_reminders()
    (message,) = mail.outbox
    assert "Relief follow-up" not in message.body
    assert "Scholarship follow-up" in message.body


def test_the_engagement_list_filters_by_partner_community_status_and_follow_up(client):
    today = timezone.localdate()
    partner = factories.partner(name="MSSD")
    community = factories.community(name="Sitio Kalilintad")
    overdue = factories.engagement(by=partner, follow_up_on=today - timedelta(days=3))
    this_week = factories.engagement(of=community, follow_up_on=today + timedelta(days=3))
    done = factories.engagement(
        of=community,
        follow_up_on=today - timedelta(days=3),
        status="completed",
        outcome="Done",
    )
    url = reverse("coordination:engagements")
    client.force_login(factories.user("viewer"))
    for params, expected in (
        ({"partner": partner.pk}, {overdue.pk}),
        ({"community": "kalilintad"}, {this_week.pk, done.pk}),
        ({"status": "completed"}, {done.pk}),
        ({"follow_up": "overdue"}, {overdue.pk}),
        ({"follow_up": "week"}, {overdue.pk, this_week.pk}),
    ):
        assert {e.pk for e in client.get(url, params).context["page"]} == expected, params


def test_an_encoder_edits_an_engagement_and_a_viewer_cannot(client):
    engagement = factories.engagement(title="Consultation")
    url = reverse("coordination:engagement_edit", args=[engagement.pk])
    data = factories.form_data(EngagementForm(instance=engagement), title="Consultation on needs")
    client.force_login(factories.user("viewer"))
    assert client.post(url, data).status_code == 403
    client.force_login(factories.user("encoder"))
    assert client.post(url, data).status_code == 302
    engagement.refresh_from_db()
    assert engagement.title == "Consultation on needs"


def test_a_completed_engagement_needs_its_outcome():
    engagement = factories.engagement()
    form = EngagementForm(
        factories.form_data(EngagementForm(instance=engagement), status="completed", outcome=""),
        instance=engagement,
    )
    assert form.errors == {"outcome": ["Say what came of it before marking it completed."]}


def test_an_encoder_edits_and_deactivates_a_partner_who_then_is_not_offered(client):
    partner = factories.partner(name="Mindanao Foundation")
    engagement = factories.engagement(by=partner)
    client.force_login(factories.user("encoder"))
    response = client.post(
        reverse("coordination:partner_edit", args=[partner.pk]),
        {"name": "Mindanao Foundation", "acronym": "MF", "kind": "ngo", "is_active": ""},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.acronym, partner.is_active) == ("MF", False)
    assert partner not in EngagementForm().fields["partner"].queryset
    assert partner in EngagementForm(instance=engagement).fields["partner"].queryset
    listed = client.get(reverse("coordination:partners"), {"is_active": "no"}).content.decode()
    assert "Mindanao Foundation (MF)" in listed and "inactive" in listed
    page = client.get(partner.get_absolute_url()).content.decode()
    assert "not offered for new engagements" in page
