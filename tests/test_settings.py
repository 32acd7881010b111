"""The settings matrix, each case a fresh process with exactly the environment given."""

import json
import os
from pathlib import Path

import pytest
from django.test import Client

from tests.support import factories
from tests.support.processes import REPO, base_env, manage, run
from tests.support.services import TEST_SECRET_KEY

HUGE = "99999999999999999999"

SNAPSHOT = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(s.DATABASES["default"]["NAME"]),
    "CONN_MAX_AGE": s.DATABASES["default"]["CONN_MAX_AGE"],
    "CACHE": s.CACHES["default"]["BACKEND"],
    "BROKER": s.CELERY_BROKER_URL,
    "SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "HSTS": s.SECURE_HSTS_SECONDS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "PROXY_HEADER": s.SECURE_PROXY_SSL_HEADER,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "TIME_ZONE": s.TIME_ZONE,
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "RELEASE": s.RELEASE,
    "LOG_FORMAT": s.LOG_FORMAT,
    "PROBLEMS": s.ENV.problems,
    "MISSING": s.ENV.missing,
}))
"""


def snapshot(cwd: Path = REPO, **variables: str) -> dict:
    result = run(
        f"python -c '{SNAPSHOT}'",
        base_env(DJANGO_SETTINGS_MODULE="obcms.settings", PYTHONPATH=str(REPO), **variables),
        cwd=cwd,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_empty_environment_gives_embedded_defaults_in_production_posture(tmp_path):
    s = snapshot(DATA_DIR=str(tmp_path))
    assert s["DEBUG"] is False
    assert s["ENGINE"] == "django.db.backends.sqlite3"
    assert s["DB_NAME"] == str(tmp_path / "obcms.sqlite3")
    assert s["CACHE"].endswith("LocMemCache")
    assert s["BROKER"] == "filesystem://localhost/"
    assert s["SSL_REDIRECT"] is True
    assert s["HSTS"] > 0
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["PROXY_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["TIME_ZONE"] == "Asia/Manila"
    assert s["LOG_FORMAT"] == "json"
    assert s["PROBLEMS"] == []
    assert [line.split()[0] for line in s["MISSING"]] == ["SECRET_KEY", "ALLOWED_HOSTS"]


def test_a_relative_data_dir_is_taken_from_the_project_folder(tmp_path):
    """Whatever folder a process starts in (a manage.py run from elsewhere), it finds the
    same SQLite file as web, worker and beat."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    relative = os.path.relpath(tmp_path / "data", REPO)
    s = snapshot(cwd=elsewhere, DATA_DIR=relative)
    assert Path(s["DB_NAME"]).resolve() == tmp_path / "data" / "obcms.sqlite3"
    assert (tmp_path / "data").is_dir()
    assert not (elsewhere / relative).exists()


def test_debug_on_needs_nothing_else_and_relaxes_https(tmp_path):
    s = snapshot(DEBUG="true", DATA_DIR=str(tmp_path))
    assert s["DEBUG"] is True
    assert s["MISSING"] == []
    assert s["SSL_REDIRECT"] is False
    assert s["HSTS"] == 0
    assert "localhost" in s["ALLOWED_HOSTS"]
    assert s["LOG_FORMAT"] == "text"


def test_production_environment_uses_the_servers_it_is_given():
    s = snapshot(
        SECRET_KEY=TEST_SECRET_KEY,
        ALLOWED_HOSTS="obcms.example.org,.oobc.example.org",
        DATABASE_URL="postgres://obcms:pw@db.internal:5432/obcms",
        REDIS_URL="redis://cache.internal:6379/0",
        EMAIL_URL="smtp+tls://user:pw@mail.example.org:587",
        SOURCE_COMMIT="abc123",
        CONN_MAX_AGE="120",
    )
    assert s["ENGINE"] == "django.db.backends.postgresql"
    assert s["CONN_MAX_AGE"] == 120
    assert s["CACHE"] == "django_redis.cache.RedisCache"
    assert s["BROKER"] == "redis://cache.internal:6379/0"
    assert s["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://obcms.example.org", "https://*.oobc.example.org"]
    assert s["RELEASE"] == "abc123"
    assert s["PROBLEMS"] == [] and s["MISSING"] == []


def test_celery_broker_url_overrides_redis():
    s = snapshot(REDIS_URL="redis://cache:6379/0", CELERY_BROKER_URL="amqp://guest@mq:5672//")
    assert s["BROKER"] == "amqp://guest@mq:5672//"


@pytest.mark.parametrize(
    ("variables", "host"),
    [
        (
            {"COOLIFY_FQDN": "https://obcms.example.org,https://www.obcms.example.org"},
            "www.obcms.example.org",
        ),
        ({"COOLIFY_URL": "https://obcms.coolify.example"}, "obcms.coolify.example"),
        ({"RENDER_EXTERNAL_HOSTNAME": "obcms.onrender.com"}, "obcms.onrender.com"),
        ({"RAILWAY_PUBLIC_DOMAIN": "obcms.up.railway.app"}, "obcms.up.railway.app"),
        (
            {"HEROKU_APP_DEFAULT_DOMAIN_NAME": "obcms-1a2b.herokuapp.com"},
            "obcms-1a2b.herokuapp.com",
        ),
    ],
)
def test_hosts_fall_back_to_what_the_platform_announces(variables, host):
    s = snapshot(SECRET_KEY=TEST_SECRET_KEY, **variables)
    assert host in s["ALLOWED_HOSTS"]
    assert f"https://{host}" in s["CSRF_TRUSTED_ORIGINS"]
    assert s["MISSING"] == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "yes please", "DEBUG: expected true or false"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL: expected a URL starting with postgres://"),
        ("DATABASE_URL", "mysql://u@h/db", "got one starting with mysql://"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL: expected a URL starting with redis://"),
        ("CELERY_BROKER_URL", "kafka://x", "CELERY_BROKER_URL: expected a URL starting with"),
        ("CONN_MAX_AGE", "-1", "CONN_MAX_AGE: expected a whole number from 0 to"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE: expected an IANA time zone"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL: expected one of debug, info"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT: expected one of json, text"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS: expected a whole number"),
        ("SECURE_SSL_REDIRECT", "maybe", "SECURE_SSL_REDIRECT: expected true or false"),
        ("EMAIL_URL", "mail.example.org", "EMAIL_URL: expected a URL starting with smtp://"),
        ("SENTRY_DSN", "sentry", "SENTRY_DSN: expected a URL starting with https://"),
        ("SENTRY_TRACES_SAMPLE_RATE", "2", "SENTRY_TRACES_SAMPLE_RATE: expected a number from"),
        ("ADMIN_URL", "/admin", "ADMIN_URL: expected a path like"),
        # Paths no browser reaches (it resolves . and ..) or that need escaping.
        ("ADMIN_URL", "../", "ADMIN_URL: expected a path like"),
        ("ADMIN_URL", "staff/./", "ADMIN_URL: expected a path like"),
        ("ADMIN_URL", "staff//", "ADMIN_URL: expected a path like"),
        ("ADMIN_URL", "staff admin/", "ADMIN_URL: expected a path like"),
        ("ADMIN_URL", "staff%2F/", "ADMIN_URL: expected a path like"),
        ("REDIS_SSL_CERT_REQS", "never", "REDIS_SSL_CERT_REQS: expected one of required"),
        ("CELERY_TASK_TIME_LIMIT", "5m", "CELERY_TASK_TIME_LIMIT: expected a whole number"),
        (
            "CELERY_WORKER_CONCURRENCY",
            "0",
            "CELERY_WORKER_CONCURRENCY: expected a whole number from 1 to",
        ),
        (
            "MIGRATIONS_WAIT_TIMEOUT",
            "-5",
            "MIGRATIONS_WAIT_TIMEOUT: expected a whole number from 0 to",
        ),
        ("SESSION_COOKIE_AGE", "10", "SESSION_COOKIE_AGE: expected a whole number from 60 to"),
        ("SENTRY_PROFILES_SAMPLE_RATE", "all", "SENTRY_PROFILES_SAMPLE_RATE: expected a number"),
        (
            "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "maybe",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS: expected true or false",
        ),
        ("CONN_MAX_AGE", "forever", "CONN_MAX_AGE: expected a whole number"),
        ("CELERY_BROKER_URL", "amqp//guest@mq", "CELERY_BROKER_URL: expected a URL starting with"),
        # Huge values passed a minimum-only check, then broke later: a session expiry past
        # the year 9999 made every sign-in a 400.
        *(
            (name, HUGE, f"{name}: expected a whole number from {low} to {high}, got {HUGE}")
            for name, low, high in (
                ("SESSION_COOKIE_AGE", 60, 400 * 24 * 60 * 60),
                ("CONN_MAX_AGE", 0, 86400),
                ("SECURE_HSTS_SECONDS", 0, 2 * 365 * 24 * 60 * 60),
                ("ATTACHMENT_MAX_MB", 1, 100),
                ("CELERY_TASK_TIME_LIMIT", 2, 86400),
                ("CELERY_TASK_SOFT_TIME_LIMIT", 1, 86399),
                ("CELERY_WORKER_CONCURRENCY", 1, 64),
                ("MIGRATIONS_WAIT_TIMEOUT", 0, 86400),
                ("DATA_DIR_MIN_FREE_MB", 0, 1024 * 1024),
                ("JOB_LEASE", 2, 3600),
                ("JOB_SWEEP_INTERVAL", 1, 3600),
                ("TASK_RETRY_WINDOW", 0, 86400),
                ("TRUSTED_PROXY_COUNT", 0, 10),
            )
        ),
    ],
)
def test_each_malformed_value_stops_a_command_with_one_clear_line(name, value, message, tmp_path):
    variables = {"DEBUG": "true", "DATA_DIR": str(tmp_path), name: value}
    result = manage("check", env=base_env(**variables))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith("obcms: ")]
    assert problem_lines[0].startswith(f"obcms: {name}")
    assert message in problem_lines[0]
    assert len(problem_lines) == 2  # the problem, then where every variable is described


def test_all_problems_are_reported_at_once(tmp_path):
    result = manage(
        "release",
        env=base_env(
            DATA_DIR=str(tmp_path), DEBUG="maybe", CONN_MAX_AGE="abc", REDIS_URL="nonsense"
        ),
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    for name in (
        "DEBUG:",
        "CONN_MAX_AGE:",
        "REDIS_URL:",
        "SECRET_KEY is not set",
        "ALLOWED_HOSTS is not set",
    ):
        assert any(line.startswith(f"obcms: {name}") for line in lines), name
    assert "Traceback" not in result.stderr


def test_build_commands_need_no_secret_but_serving_ones_do(tmp_path):
    env = base_env(DATA_DIR=str(tmp_path))
    assert manage("check", env=env).returncode == 0
    release = manage("release", env=env)
    assert release.returncode == 1
    assert "obcms: SECRET_KEY is not set: required when DEBUG is off" in release.stderr
    assert not (tmp_path / "obcms.sqlite3").exists() or "Applying" not in release.stdout


def test_collectstatic_succeeds_with_an_empty_environment(built):
    """The build (nixpacks [phases.build], Heroku's buildpack) has no runtime variables:
    ``built`` runs it so, once per run, and asserts it succeeds. Running it again here
    rewrote staticfiles/ while other processes' web lines read it at start-up (CI: a
    FileNotFoundError from whitenoise's scan)."""
    manifest = json.loads((REPO / "staticfiles" / "staticfiles.json").read_text())
    assert manifest["paths"]


def test_secret_key_from_a_mounted_file_serves_and_a_missing_file_stops_only_serving(tmp_path):
    """Docker and Coolify secrets are files; the build may see SECRET_KEY_FILE without the
    file, which is mounted at run time only."""
    (tmp_path / "secret_key").write_text(TEST_SECRET_KEY + "\n")
    s = snapshot(SECRET_KEY_FILE=str(tmp_path / "secret_key"), ALLOWED_HOSTS="obcms.example.org")
    assert s["MISSING"] == [] and s["PROBLEMS"] == []

    absent = base_env(DATA_DIR=str(tmp_path), SECRET_KEY_FILE="/run/secrets/secret_key")
    assert manage("collectstatic", "--noinput", "--dry-run", env=absent).returncode == 0
    release = manage("release", env={**absent, "ALLOWED_HOSTS": "obcms.example.org"})
    assert release.returncode == 1
    (line, _) = [line for line in release.stderr.splitlines() if line.startswith("obcms: ")]
    assert line.startswith("obcms: SECRET_KEY_FILE: cannot read /run/secrets/secret_key")


@pytest.mark.django_db
def test_the_longest_session_allowed_signs_in(settings, tmp_path):
    """The maximum is one that works end to end: the session's expiry date, its cookie and its
    cached copy all take it."""
    longest = 400 * 24 * 60 * 60
    assert snapshot(DATA_DIR=str(tmp_path), SESSION_COOKIE_AGE=str(longest))["PROBLEMS"] == []
    settings.SESSION_COOKIE_AGE = longest
    factories.user("viewer", username="maryam")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "maryam", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == longest
    assert client.get("/").status_code == 200


def test_an_admin_path_of_several_segments_is_served_there(tmp_path):
    s = snapshot(DEBUG="true", DATA_DIR=str(tmp_path), ADMIN_URL="ops.staff/admin-2_x/")
    assert s["PROBLEMS"] == []
    result = manage(
        "shell",
        "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
        env=base_env(DEBUG="true", DATA_DIR=str(tmp_path), ADMIN_URL="ops.staff/admin-2_x/"),
    )
    assert result.stdout.splitlines()[-1] == "/ops.staff/admin-2_x/", result.stderr
