"""The API against the Procfile's web line, over real HTTP: fuzzed from its own schema on
PostgreSQL, throttled across worker processes through Redis, and its Swagger UI running in a
real browser under the site's CSP."""

from __future__ import annotations

import json
import re
import shlex
import time

import pytest

from tests.support.browser import FLAGS, chromium_or_skip
from tests.support.processes import base_env, http_get, manage, procfile, run

HTTPS = {"X-Forwarded-Proto": "https"}

ISSUE_TOKEN = """
from django.contrib.auth import get_user_model
from obcms.api.models import ApiToken
owner = get_user_model().objects.get(username={username!r})
print("token:", ApiToken.issue(owner, "live test", scope="read_write")[1])
"""


def issue_token(env: dict[str, str], username: str) -> str:
    """A read-write token of ``username``, created in the site's own database."""
    result = manage("shell", "-c", ISSUE_TOKEN.format(username=username), env=env)
    assert result.returncode == 0, result.stderr
    return re.search(r"token: (\S+)", result.stdout).group(1)


@pytest.fixture
def live_site(start, production_env, released_database, own_redis, port):
    """``live_site(redis_db, **env)``: released and seeded on PostgreSQL, the web line
    running with two workers; returns (base URL, env, web process)."""

    def _site(redis_db: int, **variables: str):
        env = {
            **production_env,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": released_database,
            "REDIS_URL": own_redis(redis_db),
            "WEB_CONCURRENCY": "2",
            "PORT": str(port),
            **variables,
        }
        assert manage("release", env=env).returncode == 0
        seeded = manage("seed_demo", "--force", "--communities", "20", env=env)
        assert seeded.returncode == 0, seeded.stderr
        web = start(procfile()["web"], env, name="web")
        web.wait_for_http(f"http://127.0.0.1:{port}/health/")
        return f"http://127.0.0.1:{port}", env, web

    return _site


@pytest.mark.integration
def test_schemathesis_finds_no_server_error_schema_break_or_undeclared_status(live_site, tmp_path):
    """Every operation, with an administrator's read-write token (so writes and validation
    run too). Checks: all of Schemathesis's but two that ask what a schema cannot say: that
    any schema-valid body is accepted (ids of records that do not exist are valid integers)
    and that any schema-invalid one is refused (an empty filter means no filter, as on the
    pages)."""
    base, env, web = live_site(
        7, API_THROTTLE_RATE="100000/min", API_ADDRESS_THROTTLE_RATE="100000/min"
    )
    token = issue_token(env, "admin")
    # gunicorn refuses an over-long request line itself; the schema declares that answer too.
    status, headers, _ = http_get(f"{base}/api/v1/places/barangays/?q={'x' * 5000}", headers=HTTPS)
    assert (status, headers["Content-Type"]) == (414, "text/html")
    command = [
        "schemathesis",
        "run",
        f"{base}/api/v1/schema/",
        "--header",
        "X-Forwarded-Proto: https",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance,negative_data_rejection",
        "--max-examples",  # per operation and phase; 25 took a loaded CI 6.5 min of 20
        "12",
        "--request-timeout",
        "20",
        "--no-color",
    ]
    started = time.monotonic()
    result = run(shlex.join(command), env, timeout=420, cwd=tmp_path)
    took = time.monotonic() - started
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20000:]
    tested = re.search(r"Tested: (\d+)", report)
    assert tested and int(tested[1]) >= 45, report[-3000:]  # every operation, not a few
    assert "Internal Server Error" not in web.output and "Traceback" not in web.output
    print(f"schemathesis: {took:.0f} s")


def six_requests(live_site, **variables: str) -> tuple[list[int], dict, bytes, object]:
    """Six requests with one token, allowed five a minute. Each worker restarts after one or
    two requests (GUNICORN_MAX_REQUESTS=1, with gunicorn's jitter), so the two workers and
    their replacements serve them in at least three processes."""
    base, env, web = live_site(8, API_THROTTLE_RATE="5/min", GUNICORN_MAX_REQUESTS="1", **variables)
    token = issue_token(env, "viewer")
    headers = {**HTTPS, "Authorization": f"Bearer {token}"}
    statuses = []
    for _ in range(6):
        status, answer_headers, body = http_get(
            f"{base}/api/v1/communities/?page_size=1", headers=headers
        )
        statuses.append(status)
    for _ in range(100):  # each process logs its boot before it serves; the file may lag
        if web.output.count("Booting worker") >= 3:
            break
        time.sleep(0.1)
    assert web.output.count("Booting worker") >= 3, web.output
    return statuses, answer_headers, body, web


@pytest.mark.integration
def test_throttling_answers_429_with_retry_after_across_worker_processes(live_site):
    statuses, headers, body, _ = six_requests(live_site)
    assert statuses == [200] * 5 + [429]
    assert 0 < int(headers["Retry-After"]) <= 60
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["code"] == "throttled"


@pytest.mark.integration
def test_negative_twin_without_a_shared_cache_each_process_counts_alone(live_site):
    """The same six requests with the cache in each process's memory: no process sees more
    than two, so none is refused. The 429 above comes from the count shared in Redis."""
    statuses, _, _, _ = six_requests(live_site, REDIS_URL="")
    assert statuses == [200] * 6


@pytest.mark.browser
def test_swagger_ui_runs_under_the_sites_csp_and_calls_the_api(start, tmp_path, port, built):
    from playwright.sync_api import expect, sync_playwright

    chromium = chromium_or_skip()
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), PORT=str(port), GUNICORN_WORKERS="1")
    assert manage("release", env=env).returncode == 0
    seeded = manage("seed_demo", "--communities", "5", env=env)
    password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    base = f"http://localhost:{port}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page()
        # Errors in the console (a CSP refusal is one) and failed loads. The browser asks
        # for /favicon.ico by itself, which the site does not have.
        problems: list[str] = []

        def console(message: object) -> None:
            where = message.location.get("url", "")
            if message.type == "error" and not where.endswith("/favicon.ico"):
                problems.append(f"{message.text} ({where})")

        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.goto(f"{base}/api/v1/docs/")
        page.get_by_label("Username").fill("viewer")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/api/v1/docs/$"))
        operation = page.locator("#operations-communities-communities_list")
        expect(operation).to_be_visible(timeout=15000)
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.get_by_role("button", name="Execute").click()
        expect(
            operation.locator(".live-responses-table tbody .response-col_status").first
        ).to_have_text("200", timeout=15000)
        browser.close()
    assert not problems, problems
