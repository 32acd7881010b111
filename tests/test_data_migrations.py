"""The registry's data migrations, run forwards and back on demo-like data with Django's
MigrationExecutor: the yes/no services become ratings without inventing or losing an answer,
and the old hand-written history moves into auditlog's table without losing a row."""

import itertools
import random
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from obcms.communities.models import SERVICES
from tests.support import factories

# Transactional: migrations change the schema (tests/conftest.py puts the migrated rows back).
pytestmark = pytest.mark.django_db(transaction=True)

YES_NO = {
    "has_school": "access_formal_education",
    "has_madrasah": "access_madrasah",
    "has_health_facility": "access_health_care",
    "has_potable_water": "access_potable_water",
    "has_electricity": "access_electricity",
}


def migrate_to(*targets: tuple[str, str]):
    """Migrate to ``targets`` (the latest migrations when none) and return the models as they
    were there."""
    executor = MigrationExecutor(connection)
    targets = list(targets) or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def latest_afterwards():
    yield
    migrate_to()


def demo_answers(count: int = 300) -> list[dict[str, bool | None]]:
    """The old seed_demo's answers (yes with its odds per service), then every combination of
    yes, no and unknown, which real profiles have."""
    rng = random.Random(20260101)
    odds = {"has_school": 0.3, "has_madrasah": 0.5, "has_health_facility": 0.6}
    odds |= {"has_potable_water": 0.4, "has_electricity": 0.3}
    demo = [{name: rng.random() > p for name, p in odds.items()} for _ in range(count)]
    every = [
        dict(zip(YES_NO, combo, strict=True))
        for combo in itertools.product((True, False, None), repeat=len(YES_NO))
    ]
    return demo + every


def test_yes_no_answers_become_ratings_and_come_back_unchanged(latest_afterwards):
    old = migrate_to(("communities", "0004_coordinates"))
    Community = old.get_model("communities", "Community")
    barangay = factories.place()
    answers = demo_answers()
    Community.objects.bulk_create(
        [
            Community(
                name=f"Sitio {i}",
                barangay_id=barangay.pk,
                municipality_id=barangay.municipality_id,
                **given,
            )
            for i, given in enumerate(answers)
        ]
    )

    new = migrate_to()
    ratings = {
        int(row["name"].split()[1]): row
        for row in new.get_model("communities", "Community").objects.values("name", *SERVICES)
    }
    known_before = known_after = 0
    for i, given in enumerate(answers):
        for old_name, new_name in YES_NO.items():
            expected = {True: "available", False: "none", None: ""}[given[old_name]]
            assert ratings[i][new_name] == expected, (i, old_name)
            known_before += given[old_name] is not None
            known_after += ratings[i][new_name] != ""
        for never_asked in set(SERVICES) - set(YES_NO.values()):
            assert ratings[i][never_asked] == "", "no answer is invented"
    assert known_before == known_after  # none lost
    assert known_before > len(answers)  # the check had something to count

    back = migrate_to(("communities", "0004_coordinates"))
    rows = back.get_model("communities", "Community").objects.values("name", *YES_NO)
    assert {int(r["name"].split()[1]): {k: r[k] for k in YES_NO} for r in rows} == dict(
        enumerate(answers)
    )


def test_the_old_history_moves_into_auditlog_and_shows_on_the_page(latest_afterwards, client):
    old = migrate_to(("communities", "0007_remove_yes_no"))
    Community = old.get_model("communities", "Community")
    CommunityChange = old.get_model("communities", "CommunityChange")
    barangay = factories.place()
    c = Community.objects.create(
        name="Purok Salam", barangay_id=barangay.pk, municipality_id=barangay.municipality_id
    )
    editor = factories.user("encoder", username="norhana")
    rows = [
        (editor.pk, datetime(2025, 3, 1, 8, 30, tzinfo=UTC), {"population": ["", "120"]}),
        (
            None,
            datetime(2025, 4, 2, 9, 0, tzinfo=UTC),
            {
                "verification": ["Unverified", "Verified"],
                "has_school": ["", "True"],
                "ethnolinguistic_groups": ["", "Maranao, Tausug"],
            },
        ),
    ]
    for actor, when, changes in rows:
        change = CommunityChange.objects.create(community=c, changed_by_id=actor, changes=changes)
        CommunityChange.objects.filter(pk=change.pk).update(changed_at=when)
    kept = list(CommunityChange.objects.order_by("pk").values())

    migrate_to()
    from auditlog.models import LogEntry

    from obcms.communities.models import Community as Current

    community = Current.objects.get(pk=c.pk)
    carried = LogEntry.objects.get_for_object(community).order_by("timestamp")
    assert [(e.actor_id, e.timestamp, e.changes) for e in carried] == rows
    client.force_login(factories.user("viewer"))
    html = client.get(community.get_absolute_url()).content.decode()
    assert "norhana changed" in html and "the system changed" in html
    assert '<span class="changed">Has school</span>: <del>—</del> → <ins>yes</ins>' in html
    assert "<del>Unverified</del> → <ins>Verified</ins>" in html

    back = migrate_to(("communities", "0007_remove_yes_no"))
    restored = back.get_model("communities", "CommunityChange").objects.order_by("pk").values()
    assert list(restored) == kept
