"""seed_demo: a working registry for a laptop or a review app, planned for by PostgreSQL."""

from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.db import bulk
from obcms.meetings.models import Meeting
from obcms.records import history
from obcms.reports.tasks import check_data_quality
from tests.support import factories
from tests.support.processes import manage

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_working_registry(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--communities", "40", verbosity=0)
    assert Community.objects.count() == 40
    # Loaded in bulk (no save()), yet each in its municipality's region and province.
    assert not Community.objects.filter(region=None).exists()
    assert Community.refresh_places() == 0  # none to correct
    # Its profiles' missing fields as the nightly pass finds them.
    found = dict(Community.objects.values_list("pk", "missing_fields"))
    assert any(found.values())
    check_data_quality()
    assert dict(Community.objects.values_list("pk", "missing_fields")) == found
    assert Assessment.objects.exists() and Need.objects.exists()
    call_command("seed_demo", "--if-empty", verbosity=0)
    assert Community.objects.count() == 40


def seeded(communities: int) -> int:
    """The queries of one seed_demo (geography loaded before); rolled back after."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            call_command("seed_demo", "--communities", str(communities), verbosity=0)
        transaction.set_rollback(True)
    return len(queries)


@pytest.mark.integration
def test_seed_demo_queries_do_not_grow_with_the_communities(settings):
    """Every phase writes in bulk, what keeps 100,000 communities under three minutes: ten
    times the communities, the same queries."""
    settings.DEBUG = True
    call_command("load_geography", verbosity=0)
    few, many = seeded(30), seeded(300)
    assert few == many, (few, many)


def entries(record) -> list[tuple]:
    """A record's history entries, its own id left out (twins differ only there)."""
    found = []
    for entry in LogEntry.objects.get_for_object(record).order_by("pk"):
        changes = {k: v for k, v in entry.changes.items() if k != "id"}
        found.append((entry.action, changes, entry.actor_id, entry.cid, entry.additional_data))
    return found


def test_bulk_writes_leave_the_history_one_by_one_saves_leave():
    """seed_demo's meetings and archived communities, written in bulk, carry the entries
    auditlog writes for create and set(), and for archive() under set_actor."""
    admin = factories.user("administrator")
    places = [factories.community(), factories.community()]
    partner = factories.partner()
    fields = {
        "title": "Consultation 1",
        "kind": "consultation",
        "starts_at": timezone.now(),
        "ends_at": timezone.now() + timedelta(hours=2),
        "venue": "Barangay hall",
        "created_by": admin,
    }
    by_hand = Meeting.objects.create(**fields)
    by_hand.communities.set(places)
    by_hand.partners.set([partner])
    (in_bulk,) = bulk.insert([Meeting(**fields)])
    chosen = {
        "communities": {in_bulk.pk: [c.pk for c in reversed(places)]},  # named in their order
        "partners": {in_bulk.pk: [partner.pk]},
    }
    history.log_created([in_bulk], history.links_in_order([in_bulk], chosen))
    assert entries(in_bulk) == entries(by_hand)  # created, communities set, partners set
    assert len(entries(by_hand)) == 3

    one, other = factories.community(), factories.community()
    with set_actor(admin):
        one.archive(admin, "Registered twice.")
    Community.archive_all([other], admin, "Registered twice.")
    (action, changes, actor, cid, extra), twin = entries(one)[-1], entries(other)[-1]
    changes.pop("archived_at")  # the moment differs, not the shape
    assert twin[1].pop("archived_at")[0] == "None"
    assert twin == (action, changes, actor, cid, extra) and actor == admin.pk
    assert changes["archive_reason"] == ["", "Registered twice."]


@pytest.mark.integration
@pytest.mark.django_db(databases=[])
def test_bulk_loads_leave_postgresql_planner_statistics_fresh(fresh_database, production_env):
    """Without ANALYZE after seed_demo, the planner believed the tables empty until the next
    autoanalyze, and the list page joined every row of a region before sorting."""
    import psycopg

    env = {**production_env, "DATABASE_URL": fresh_database}
    for command in (["release"], ["seed_demo", "--force", "--communities", "30"]):
        result = manage(*command, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
    with psycopg.connect(fresh_database) as db:
        analyzed = dict(
            db.execute(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname IN ('communities_community', 'geography_barangay', "
                "'communities_community_ethnolinguistic_groups', 'assessments_need')"
            ).fetchall()
        )
    assert analyzed == dict.fromkeys(analyzed, True) and len(analyzed) == 4, analyzed
