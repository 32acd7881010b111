"""Heroku CI, replayed from app.json's ``environments.test``: a build, the test-setup
script, then the test script with the environment's variables, CI=true and the
in-dyno add-ons' URLs. A file of its own: its installs take minutes, and under xdist
(``--dist loadfile``) it then runs in parallel with the deploy replays of test_heroku.py."""

from __future__ import annotations

import pytest

from tests.platforms.builds import copy_repository, install
from tests.platforms.test_heroku import APP_JSON
from tests.support.processes import run

# One integration test for the Heroku CI run: it needs the in-dyno PostgreSQL and Redis.
PROBE_TEST = "test_probes_answer_every_platform_host_over_plain_http"


@pytest.mark.integration
def test_environments_test_runs_as_heroku_ci_runs_it(tmp_path, fresh_database, platform_redis):
    """Narrowed to two files to keep the suite short; --collect-only over the whole suite
    shows every module loads there."""
    test = APP_JSON["environments"]["test"]
    app = copy_repository(tmp_path / "app")
    env = install(app, tmp_path / "venv")
    setup = run(test["scripts"]["test-setup"], env, 900, cwd=app)
    assert setup.returncode == 0, setup.stderr[-2000:]
    addons = {"DATABASE_URL": fresh_database, "REDIS_URL": platform_redis}  # in-dyno
    env |= {**test["env"], "CI": "true", **addons}

    collected = run(f"{test['scripts']['test']} --collect-only -q", env, 300, cwd=app)
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-2000:]
    assert " deselected" in collected.stdout.splitlines()[-1]  # Chromium, RabbitMQ: not there

    selection = "tests/test_env.py tests/test_probes.py::" + PROBE_TEST
    ran = run(f"{test['scripts']['test']} -q -p no:cacheprovider {selection}", env, 600, cwd=app)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    assert " passed" in ran.stdout.splitlines()[-1] and "skipped" not in ran.stdout
