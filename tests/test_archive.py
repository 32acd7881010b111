"""Archive instead of delete: an administrator archives a record with a reason; it leaves
lists, exports, totals and the dashboard, stays reachable through the "archived" filter, and
comes back with one action."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from obcms.records.archive import Archivable
from obcms.records.checks import archive_permission_errors
from obcms.reminders.models import ReminderDay
from obcms.reports import statistics
from obcms.reports.models import Export
from obcms.reports.tasks import build_export, send_reminders
from tests.support import factories

pytestmark = pytest.mark.django_db


def rows_of(response) -> str:
    """The table body of a list page (a flash message may name the record too)."""
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def exported_ids(user, **filters) -> set[int]:
    export = Export.objects.create(user=user, filters=filters)
    build_export(export.pk)
    export.refresh_from_db()
    rows = csv.reader(io.StringIO(export.file.read().decode("utf-8-sig")))
    next(rows)
    return {int(row[0]) for row in rows}


def test_an_archived_community_leaves_list_export_and_dashboard_and_comes_back(
    client, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    kept = factories.community(name="Sitio Kept", population=100, households=20)
    gone = factories.community(name="Sitio Gone", population=50, households=10)
    factories.assessment(of=gone, status="submitted")
    encoder = factories.user("encoder")
    factories.engagement(
        of=gone, follow_up_on=timezone.localdate() - timedelta(days=1), created_by=encoder
    )
    admin = factories.user("administrator")
    client.force_login(admin)

    def visible() -> dict:
        figures = statistics.compute()
        names = rows_of(client.get(reverse("communities:list")))
        mail.outbox.clear()
        ReminderDay.objects.all().delete()  # as on a new day: reminders go once a day
        send_reminders()
        return {
            "listed": [n for n in ("Sitio Kept", "Sitio Gone") if n in names],
            "exported": exported_ids(admin),
            "communities": figures["totals"]["communities"],
            "population": figures["totals"]["population"],
            "households": figures["totals"]["households"],
            "submitted": figures["assessments"]["submitted"],
            "needs": sum(row["needs"] for row in figures["top_needs"]),
            "follow_ups_due": figures["follow_ups_due"],
            "reminded": len(mail.outbox),
        }

    everything = {
        "listed": ["Sitio Kept", "Sitio Gone"],
        "exported": {kept.pk, gone.pk},
        "communities": 2,
        "population": 150,
        "households": 30,
        "submitted": 1,
        "needs": 1,
        "follow_ups_due": 1,
        "reminded": 1,
    }
    assert visible() == everything

    response = client.post(
        reverse("communities:archive", args=[gone.pk]), {"reason": "Registered twice"}
    )
    assert response.status_code == 302
    assert visible() == {
        "listed": ["Sitio Kept"],
        "exported": {kept.pk},
        "communities": 1,
        "population": 100,
        "households": 20,
        "submitted": 0,
        "needs": 0,
        "follow_ups_due": 0,
        "reminded": 0,
    }
    archived = rows_of(client.get(reverse("communities:list"), {"archived": "archived"}))
    assert "Sitio Gone" in archived and "Sitio Kept" not in archived
    assert exported_ids(admin, archived="archived") == {gone.pk}
    page = client.get(gone.get_absolute_url()).content.decode()
    assert "Registered twice" in page and "Restore" in page

    client.post(reverse("communities:restore", args=[gone.pk]))
    assert visible() == everything


@pytest.mark.parametrize(
    ("make", "list_url", "archive", "restore", "shown_as"),
    [
        (
            lambda: factories.assessment(team="Team Gone"),
            "assessments:list",
            "assessments:archive",
            "assessments:restore",
            "Team Gone",
        ),
        (
            lambda: factories.partner(name="Gone Partners Inc."),
            "coordination:partners",
            "coordination:partner_archive",
            "coordination:partner_restore",
            "Gone Partners Inc.",
        ),
        (
            lambda: factories.engagement(title="Gone visit"),
            "coordination:engagements",
            "coordination:engagement_archive",
            "coordination:engagement_restore",
            "Gone visit",
        ),
    ],
)
def test_every_record_type_archives_and_restores_the_same_way(
    client, make, list_url, archive, restore, shown_as
):
    record = make()
    client.force_login(factories.user("administrator"))
    assert shown_as in rows_of(client.get(reverse(list_url)))
    client.post(reverse(archive, args=[record.pk]), {"reason": "Entered by mistake"})
    assert shown_as not in rows_of(client.get(reverse(list_url)))
    assert shown_as in rows_of(client.get(reverse(list_url), {"archived": "archived"}))
    assert "Entered by mistake" in client.get(record.get_absolute_url()).content.decode()
    client.post(reverse(restore, args=[record.pk]))
    assert shown_as in rows_of(client.get(reverse(list_url)))


def test_what_belongs_to_an_archived_community_leaves_the_lists_with_it(client):
    community = factories.community()
    factories.assessment(of=community, team="Team of the archived")
    factories.engagement(of=community, title="Visit to the archived")
    community.archive(factories.user("administrator"), "Duplicate")
    client.force_login(factories.user("viewer"))
    assert "Team of the archived" not in client.get(reverse("assessments:list")).content.decode()
    assert (
        "Visit to the archived"
        not in client.get(reverse("coordination:engagements")).content.decode()
    )


def test_archiving_needs_a_reason_and_an_administrator(client):
    community = factories.community()
    client.force_login(factories.user("encoder"))
    url = reverse("communities:archive", args=[community.pk])
    assert client.post(url, {"reason": "Duplicate"}).status_code == 403
    client.force_login(factories.user("administrator"))
    response = client.post(url, {"reason": "   "}, follow=True)
    assert "Say why it is archived" in response.content.decode()
    community.refresh_from_db()
    assert not community.is_archived


def test_an_archived_record_is_read_only_until_restored(client):
    community = factories.community()
    community.archive(factories.user("administrator"), "Duplicate")
    client.force_login(factories.user("encoder"))
    response = client.get(reverse("communities:edit", args=[community.pk]), follow=True)
    assert response.redirect_chain[-1][0] == community.get_absolute_url()
    assert "is archived: an administrator restores it first" in response.content.decode()


def test_a_model_that_forgets_the_archive_permission_is_reported_at_startup():
    from django.db import models
    from django.test.utils import isolate_apps

    assert (
        archive_permission_errors([m for m in __import__("django.apps").apps.apps.get_models()])
        == []
    )
    with isolate_apps("obcms.records"):

        class Meeting(Archivable):
            title = models.CharField(max_length=10)

            class Meta:  # not Archivable.Meta: no archive_meeting permission
                app_label = "records"

        (error,) = archive_permission_errors([Meeting])
    assert error.id == "records.E001" and "class Meta(Archivable.Meta)" in error.hint


def test_the_admin_lists_archived_records_and_restores_them(client):
    community = factories.community(name="Sitio Archived")
    community.archive(factories.user("administrator"), "Duplicate")
    client.force_login(factories.user("administrator"))
    url = reverse("admin:communities_community_changelist")
    assert "Sitio Archived" in client.get(url, {"archived": "archived"}).content.decode()
    assert "Sitio Archived" not in client.get(url, {"archived": "current"}).content.decode()
    client.post(url, {"action": "restore_selected", "_selected_action": [community.pk]})
    community.refresh_from_db()
    assert not community.is_archived
