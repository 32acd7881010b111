"""What an operator sees: errors in Sentry (a real HTTP server on loopback stands in for its
ingest endpoint) and JSON logs whose request id follows a request into the task it enqueued."""

import gzip
import json
import re
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest

from tests.support.processes import REPO, Browserless, base_env, http_get, manage, procfile, run

SETTINGS = "tests.settings_observability"
SECRETS = ("s3ss10nvalue", "hunter2-password", "csrf-s3cret", "Bearer t0ken", "0917-555-0101")
# Free text in a query, and a file name (hardening issue, finding 7): names of people.
PEOPLE = ("Maria", "Santos", "Clara", "Hassan", "Norhana")


class Ingest:
    """Collects what the Sentry SDK sends: every envelope, decompressed, as text."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":
                    body = brotli.decompress(body)
                received.append(body.decode(errors="replace"))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_address[1]}/42"

    def wait_for(self, text: str, timeout: float = 30) -> str:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            for envelope in self.received:
                if text in envelope:
                    return envelope
            time.sleep(0.2)
        raise AssertionError(f"no event with {text!r} arrived; got {len(self.received)}")

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def ingest():
    server = Ingest()
    yield server
    server.close()


def event_of(envelope: str) -> dict:
    """The event item of an envelope (header line, item header line, payload line...)."""
    for line in envelope.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and "exception" in item:
            return item
    raise AssertionError("no event item in the envelope")


@pytest.fixture
def observed_env(production_env, released_database, services, ingest) -> dict[str, str]:
    env = {
        **production_env,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": released_database,
        "REDIS_URL": services["redis"],
        "SENTRY_DSN": ingest.dsn,
        "SENTRY_ENVIRONMENT": "staging-test",
        "SOURCE_COMMIT": "c0ffee1234",
        "ALLOWED_HOSTS": "localhost",
        "LOG_FORMAT": "json",
    }
    release = manage("release", env=env)
    assert release.returncode == 0, release.stderr
    return env


@pytest.mark.integration
def test_a_view_error_reaches_sentry_with_release_and_without_secrets(
    start, observed_env, port, ingest
):
    web = start(procfile()["web"], {**observed_env, "PORT": str(port)}, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    status, _, _ = http_get(
        f"http://127.0.0.1:{port}/boom/?marker=view-123&password=hunter2-password"
        "&q=Maria+Santos+Clara&leader=Ali+Hassan&region=12",
        host="localhost",
        headers={
            "X-Forwarded-Proto": "https",
            "Authorization": "Bearer t0ken",
            "Cookie": "sessionid=s3ss10nvalue; csrftoken=csrf-s3cret",
        },
    )
    assert status == 500

    envelope = ingest.wait_for("view failed on purpose view-123")
    event = event_of(envelope)
    assert event["release"] == "c0ffee1234"
    assert event["environment"] == "staging-test"
    for secret in SECRETS + PEOPLE:
        assert secret not in envelope, envelope[
            max(0, envelope.find(secret) - 300) : envelope.find(secret) + 100
        ]
    assert "region=12" in envelope  # an allowed key keeps its value

    status, _, _ = http_get(
        f"http://127.0.0.1:{port}/boom-file/?name=Norhana+Maria+Santos",
        host="localhost",
        headers={"X-Forwarded-Proto": "https"},
    )
    assert status == 400
    envelope = ingest.wait_for("includes path elements")
    for name in PEOPLE:
        assert name not in envelope, envelope[
            max(0, envelope.find(name) - 300) : envelope.find(name) + 100
        ]


@pytest.mark.integration
def test_a_task_error_reaches_sentry_with_release(start, observed_env, ingest):
    from celery import Celery

    start(procfile()["worker"], observed_env, name="worker").wait_for_output(' ready."', 60)
    sender = Celery(broker=observed_env["REDIS_URL"])
    sender.send_task("tests.taskapp.tasks.boom", args=["task-456"])
    sender.close()
    event = event_of(ingest.wait_for("task failed on purpose task-456"))
    assert event["release"] == "c0ffee1234"
    assert event["environment"] == "staging-test"


def json_lines(output: str, until: str | None = None) -> list[dict]:
    """Every line as JSON (the shutdown messages Celery prints after SIGTERM excepted)."""
    events = []
    for line in output.splitlines():
        if until and until in line:
            break
        if line.strip():
            events.append(json.loads(line))
    return events


@pytest.mark.integration
def test_logs_are_json_and_one_request_id_follows_the_task_it_enqueued(start, observed_env, port):
    seeded = manage("seed_demo", "--force", "--communities", "5", env=observed_env)
    password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
    web = start(procfile()["web"], {**observed_env, "PORT": str(port)}, name="web")
    worker = start(procfile()["worker"], observed_env, name="worker")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    worker.wait_for_output(' ready."', 60)

    client = Browserless(f"http://127.0.0.1:{port}")
    client.sign_in("viewer", password)
    token = client.csrf_form("/communities/")
    status, headers, _ = client.request(
        "POST", "/reports/exports/new/", {"csrfmiddlewaretoken": token, "format": "csv"}
    )
    assert status == 302
    request_id = headers["X-Request-ID"]
    worker.wait_for_output(f'"request_id": "{request_id}"', 30)
    time.sleep(0.5)  # the access line is written after the response

    web_events = json_lines(web.output)
    worker_events = json_lines(worker.output, until="Warm shutdown")
    access = [
        e
        for e in web_events
        if e.get("request_id") == request_id and e["logger"] == "gunicorn.access"
    ]
    assert access and access[0]["path"] == "/reports/exports/new/" and access[0]["status"] == 302
    task_lines = [e for e in worker_events if e.get("request_id") == request_id]
    assert any("rows written" in e["message"] for e in task_lines), task_lines
    assert all(e.get("path") not in ("/health/", "/ready/") for e in web_events), (
        "probe hits are logged at debug only"
    )


def test_an_incoming_request_id_is_kept_and_a_bad_one_replaced(client):
    kept = client.get("/health/", HTTP_X_REQUEST_ID="abc-123-def-456")
    assert kept["X-Request-ID"] == "abc-123-def-456"
    replaced = client.get("/health/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


def test_the_scrubber_strips_cookies_headers_and_sensitive_query_values():
    from obcms.sentry import scrub

    event = {
        "request": {
            "cookies": {"sessionid": "x"},
            "data": {"phone": "0917"},
            "headers": {
                "Cookie": "sessionid=x",
                "Authorization": "Bearer y",
                "Accept": "text/html",
            },
            "query_string": "region=3&password=hunter2&contact_person=Ali",
        }
    }
    request = scrub(event)["request"]
    assert "cookies" not in request and "data" not in request
    assert request["headers"] == {
        "Cookie": "[Filtered]",
        "Authorization": "[Filtered]",
        "Accept": "text/html",
    }
    assert "hunter2" not in request["query_string"] and "Ali" not in request["query_string"]
    assert "region=3" in request["query_string"]


def test_the_scrubber_keeps_only_allowed_query_keys_and_cuts_quoted_input():
    from obcms.sentry import scrub

    event = {
        "request": {
            "url": "https://o.example.org/communities/?q=Maria&page=2",
            "query_string": "q=Maria+Santos&leader=Ali+Hassan&team=Clara&page=2&sort=name",
        },
        "exception": {
            "values": [
                {"type": "ValueError", "value": "invalid literal for int(): 'Maria Santos'"},
                {"type": "SuspiciousFileOperation", "value": 'no name for "Clara.csv"'},
            ]
        },
        "logentry": {"message": "import of %s failed", "params": ["Hassan.csv"]},
        "extra": {"request": "<WSGIRequest: GET '/communities/?q=Maria'>"},
        "breadcrumbs": {"values": [{"message": "File name 'Ali Hassan.csv' includes path"}]},
    }
    scrubbed = repr(scrub(event))
    for name in ("Maria", "Santos", "Ali", "Hassan", "Clara"):
        assert name not in scrubbed, name
    assert "page=2" in scrubbed and "sort=name" in scrubbed
    assert "invalid literal for int()" in scrubbed


def test_without_a_dsn_the_sdk_is_not_initialised(tmp_path):
    from tests.support.processes import settings_values

    (active,) = settings_values(
        "__import__('sentry_sdk').get_client().is_active()", DATA_DIR=str(tmp_path)
    )
    assert active is False
    (active,) = settings_values(
        "__import__('sentry_sdk').get_client().is_active()",
        DATA_DIR=str(tmp_path),
        SENTRY_DSN="http://k@127.0.0.1:9/1",
    )
    assert active is True


REQUESTS = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
assert client.get("/refuse/").status_code == 403
assert client.get("/boom/").status_code == 500
"""


def logged_requests(tmp_path, log_format: str) -> subprocess.CompletedProcess:
    """A 403 and a 500 through Django's real handler, logged by a fresh process with the
    settings' own logging (DEBUG on, as on a laptop)."""
    result = run(
        f"python -c '{REQUESTS}'",
        base_env(
            DEBUG="true",
            LOG_FORMAT=log_format,
            DATA_DIR=str(tmp_path),
            ALLOWED_HOSTS="testserver",
            DJANGO_SETTINGS_MODULE=SETTINGS,
            PYTHONPATH=str(REPO),
        ),
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_refusal_is_one_line_and_a_server_error_keeps_its_traceback(tmp_path, log_format):
    output = logged_requests(tmp_path, log_format).stdout
    refusals = [line for line in output.splitlines() if "Forbidden (Permission denied)" in line]
    assert len(refusals) == 1
    assert "PermissionDenied" not in output
    assert "RuntimeError: view failed on purpose" in output


UTC_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\+00:00 ")


def assert_utc_now(line: str) -> None:
    """A text line starts with its time in UTC, with the zone, like the JSON's ``time``."""
    match = UTC_LINE.match(line)
    assert match, line
    logged = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - logged) < timedelta(minutes=5), line


def test_text_logs_say_each_error_once_in_utc(tmp_path):
    """Django's default logging, applied before ours, also printed DEBUG's errors bare to
    stderr; and logging's local time was Manila's (TIME_ZONE), without a zone."""
    result = logged_requests(tmp_path, "text")
    output = result.stdout + result.stderr
    assert output.count("Internal Server Error: /boom/") == 1
    assert output.count("Traceback (most recent call last)") == 1
    assert result.stderr == ""
    error = next(line for line in output.splitlines() if "Internal Server Error" in line)
    assert_utc_now(error)


def test_the_web_lines_text_logs_are_in_utc_too(start, tmp_path, port):
    env = base_env(DEBUG="true", DATA_DIR=str(tmp_path), PORT=str(port))
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/", timeout=120)
    http_get(f"http://127.0.0.1:{port}/accounts/login/", host="localhost")
    web.wait_for_output("path=/accounts/login/")
    web.stop()
    lines = [line for line in web.output.splitlines() if "gunicorn." in line]
    assert any("Listening at" in line for line in lines), web.output
    assert any("path=/accounts/login/" in line for line in lines), web.output
    for line in lines:
        assert_utc_now(line)
