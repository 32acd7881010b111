"""Dokku's healthchecks from app.json, replayed as Dokku runs them: from outside the container,
with a Host header of its own, a timeout per attempt, a wait between attempts."""

import json
import time
from dataclasses import dataclass

import pytest

from tests.support.processes import REPO, http_get, manage, procfile

CHECKS = json.loads((REPO / "app.json").read_text())["healthchecks"]["web"]
DOKKU_HOST = "172.17.0.5:5000"  # the container's address, as Dokku's checker sends it


@dataclass
class Outcome:
    passed: bool
    attempts: int
    last_status: int | None


def run_check(check: dict, port: int) -> Outcome:
    """One healthcheck: success is a 200 within `timeout`, tried `attempts` times."""
    status = None
    for attempt in range(1, check.get("attempts", 5) + 1):
        try:
            status, _, _ = http_get(
                f"http://127.0.0.1:{port}{check['path']}",
                host=DOKKU_HOST,
                timeout=check.get("timeout", 5),
            )
            if status == 200:
                return Outcome(True, attempt, status)
        except OSError:
            status = None
        time.sleep(min(check.get("wait", 5), 1))  # the real wait, capped to keep the test short
    return Outcome(False, check.get("attempts", 5), status)


@pytest.fixture
def released(production_env, released_sqlite):
    released_sqlite(production_env["DATA_DIR"])
    assert manage("release", env=production_env).returncode == 0
    return production_env


def test_app_json_healthchecks_pass_against_the_web_line(start, released, port):
    start(procfile()["web"], {**released, "PORT": str(port)}, name="web")
    for check in CHECKS:
        outcome = run_check(check, port)
        assert outcome.passed, (check, outcome)


def test_negative_twin_a_check_on_an_ordinary_page_fails_as_dokku_would(start, released, port):
    """Dokku's own Host is not in ALLOWED_HOSTS: only the probe paths answer it."""
    start(procfile()["web"], {**released, "PORT": str(port)}, name="web").wait_for_http(
        f"http://127.0.0.1:{port}/health/"
    )
    outcome = run_check({**CHECKS[0], "path": "/accounts/login/", "attempts": 2}, port)
    assert not outcome.passed and outcome.last_status == 400
