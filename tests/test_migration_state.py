"""Which migrations are pending: one answer for /ready/, the release step and the wait of
worker and beat (obcms/db/migration_state.py)."""

import sqlite3

import pytest

from tests.support.processes import base_env, manage

SQUASH = "0001_squashed_0002_note_text"


@pytest.mark.django_db
def test_nothing_is_pending_once_migrate_has_run():
    from obcms.db.migration_state import pending

    assert pending() == []


def test_a_squash_deployed_onto_the_migrations_it_replaces_is_not_pending(tmp_path):
    """A database that applied 0001 and 0002 before their squash was deployed has no row for
    the squash. Django counts it as applied, so the release finds nothing to do and never
    writes that row: /ready/ must count it as applied too, or it would answer 503 for good."""
    env = base_env(
        DEBUG="true", DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tests.settings_squashedapp"
    )
    assert manage("migrate", env=env).returncode == 0
    with sqlite3.connect(tmp_path / "obcms.sqlite3") as db:
        deleted = db.execute("DELETE FROM django_migrations WHERE name = ?", [SQUASH]).rowcount
    assert deleted == 1

    release = manage("release", env=env)
    assert "no migrations to apply" in release.stdout, release.stdout + release.stderr
    probe = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from obcms.health.checks import check_migrations; check_migrations(); print('applied')",
        env=env,
    )
    assert probe.stdout.strip() == "applied", probe.stderr
