"""seed_demo: a working registry for a laptop or a review app, planned for by PostgreSQL."""

import pytest
from django.core.management import call_command

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.reports.tasks import check_data_quality
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
