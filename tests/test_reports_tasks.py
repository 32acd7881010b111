"""The registry's scheduled work: statistics, reminders, digest, data quality, expiry."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community, Contact, EthnolinguisticGroup, Language
from obcms.coordination.models import Engagement, Partner
from obcms.reports import tasks
from obcms.reports.models import Export, StatisticsSnapshot
from tests.support import factories

pytestmark = pytest.mark.django_db


def test_statistics_rollup_counts_what_the_dashboard_shows(client):
    c = factories.community(population=500, households=90)
    a = Assessment.objects.create(
        community=c, assessed_on="2026-01-05", team="T", method="survey", status="submitted"
    )
    Need.objects.create(assessment=a, sector="wash", description="x", priority=1)
    tasks.refresh_statistics()
    data = StatisticsSnapshot.objects.latest().data
    assert data["totals"]["communities"] == 1 and data["totals"]["population"] == 500
    assert data["assessments"]["submitted"] == 1
    assert data["top_needs"][0] == {
        "label": "Water and sanitation",
        "needs": 1,
        "high": 1,
        "beneficiaries": 0,
    }
    client.force_login(factories.user("viewer"))
    assert "Water and sanitation" in client.get("/").content.decode()


@pytest.mark.integration
def test_the_dashboard_is_drawn_once_per_snapshot_and_change_of_record(client):
    """Its tables of figures cost more than its queries (issue 19): drawn once, then read
    from the cache with the user alone; a new snapshot or a changed record draws them again."""
    client.force_login(factories.user("viewer"))
    factories.community(population=500)
    tasks.refresh_statistics()
    assert client.get("/").status_code == 200  # drawn; the session and the role remembered
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 2, sql  # the user, and which snapshot is the newest
    assert not any('"reports_statisticssnapshot"."data"' in q for q in sql), sql
    assert "<strong>1</strong> communities" in page
    factories.community(population=700)
    tasks.refresh_statistics()
    assert "<strong>2</strong> communities" in client.get("/").content.decode()


def test_reminders_go_to_each_author_once_about_stale_drafts_and_due_follow_ups():
    encoder = factories.user("encoder")
    c = factories.community()
    old = Assessment.objects.create(
        community=c, assessed_on="2026-01-05", team="T", method="survey", created_by=encoder
    )
    Assessment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
    Assessment.objects.create(
        community=c,
        assessed_on="2026-01-05",
        team="fresh draft",
        method="survey",
        created_by=encoder,
    )
    partner = Partner.objects.create(name="MSSD", kind="barmm")
    Engagement.objects.create(
        partner=partner,
        community=c,
        title="Relief follow-up",
        engaged_on=timezone.localdate() - timedelta(days=10),
        follow_up_on=timezone.localdate(),
        created_by=encoder,
    )
    tasks.send_reminders()
    (message,) = mail.outbox
    assert message.to == [encoder.email]
    assert message.body.count("- ") == 2
    assert "still not submitted" in message.body and "Relief follow-up" in message.body


def test_weekly_digest_reaches_administrators_only():
    admin = factories.user("administrator")
    factories.user("viewer")
    factories.community()
    tasks.send_weekly_digest()
    (message,) = mail.outbox
    assert message.to == [admin.email]
    assert "Communities registered: 1 (1 new this week)" in message.body


def test_data_quality_pass_flags_and_clears_missing_fields():
    c = factories.community(population=100)
    tasks.check_data_quality()
    c.refresh_from_db()
    assert c.missing_fields == [
        "households",
        "families",
        "settlement_type",
        "services",
        "ethnolinguistic_groups",
        "livelihoods",
        "languages",
        "contacts",
    ]
    c.households, c.families, c.settlement_type = 20, 22, "rural"
    c.access_electricity = "poor"  # one service rated is enough: the profile says something
    c.save()
    c.ethnolinguistic_groups.add(EthnolinguisticGroup.objects.first())
    c.livelihoods.add(*c.livelihoods.model.objects.all()[:1])
    c.languages.add(Language.objects.first())
    Contact.objects.create(community=c, name="Datu Ali")
    tasks.check_data_quality()
    assert Community.objects.get(pk=c.pk).missing_fields == []


def test_exports_older_than_a_week_are_deleted_with_their_files(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    factories.community()
    user = factories.user("viewer")
    old, fresh = (Export.objects.create(user=user, filters={}) for _ in range(2))
    for export in (old, fresh):
        tasks.build_export(export.pk)
    old.refresh_from_db()
    path = old.file.path
    Export.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    tasks.expire_exports()
    assert list(Export.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not (tmp_path / path).exists()


def test_a_finished_export_is_not_built_twice(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    factories.community()
    export = Export.objects.create(user=factories.user("viewer"), filters={})
    tasks.build_export(export.pk)
    export.refresh_from_db()
    name = export.file.name
    tasks.build_export(export.pk)  # delivered again after a worker died
    export.refresh_from_db()
    assert export.file.name == name
