"""Our deployment checks, as `manage.py check --deploy` reports them in a fresh process."""

import pytest

from tests.support.processes import base_env, manage
from tests.support.services import TEST_SECRET_KEY

PRODUCTION = {
    "SECRET_KEY": TEST_SECRET_KEY,
    "ALLOWED_HOSTS": "obcms.example.org",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:1/x",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "AWS_STORAGE_BUCKET_NAME": "b",
    "AWS_ACCESS_KEY_ID": "k",
    "AWS_SECRET_ACCESS_KEY": "s",
    "EMAIL_URL": "smtp+tls://u:p@mail.example.org",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def deploy_check(tmp_path, **changes: str | None):
    variables = {**PRODUCTION, "DATA_DIR": str(tmp_path), **changes}
    env = base_env(**{k: v for k, v in variables.items() if v is not None})
    return manage("check", "--deploy", env=env)


def test_a_full_production_environment_passes_cleanly(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("changes", "check_id"),
    [
        ({"SECRET_KEY": "short-key"}, "obcms.E001"),
        ({"SECRET_KEY": "a" * 60}, "obcms.E001"),
        ({"SECRET_KEY": "django-insecure-" + TEST_SECRET_KEY}, "obcms.E001"),
        ({"ALLOWED_HOSTS": "*"}, "obcms.E002"),
        ({"CSRF_TRUSTED_ORIGINS": "http://obcms.example.org"}, "obcms.E003"),
    ],
)
def test_errors_stop_the_check(tmp_path, changes, check_id):
    result = deploy_check(tmp_path, **changes)
    assert result.returncode == 1
    assert check_id in result.stderr
    assert "HINT:" in result.stderr


@pytest.mark.parametrize(
    ("changes", "check_id"),
    [
        ({"DATABASE_URL": None}, "obcms.W001"),
        ({"REDIS_URL": None}, "obcms.W002"),
        ({"AWS_STORAGE_BUCKET_NAME": None}, "obcms.W003"),
        ({"EMAIL_URL": None}, "obcms.W004"),
    ],
)
def test_embedded_defaults_in_production_are_warnings(tmp_path, changes, check_id):
    result = deploy_check(tmp_path, **changes)
    assert result.returncode == 0
    assert check_id in result.stderr


def test_no_redis_is_warned_even_with_one_web_process(tmp_path):
    """The worker count is gunicorn.conf.py's to decide; the check no longer reads it."""
    result = deploy_check(tmp_path, REDIS_URL=None, WEB_CONCURRENCY="1")
    assert "obcms.W002" in result.stderr


def test_debug_skips_the_production_checks(tmp_path):
    result = deploy_check(tmp_path, DEBUG="true", SECRET_KEY=None, ALLOWED_HOSTS=None)
    assert "obcms.E00" not in result.stderr


def test_a_weak_secret_key_is_one_message_not_two(tmp_path):
    """obcms.E001 replaces Django's security.W009, which tests the same key."""
    result = deploy_check(tmp_path, SECRET_KEY="short-key")
    assert "obcms.E001" in result.stderr and "security.W009" not in result.stderr


def test_check_deploy_is_clean_of_django_security_issues_with_app_json_production_env(
    tmp_path,
):
    """The environment a Heroku deploy gets: app.json's values, a generated SECRET_KEY, and
    the add-ons' URLs."""
    import json
    import secrets

    from tests.support.processes import REPO

    app = json.loads((REPO / "app.json").read_text())
    variables = {name: spec["value"] for name, spec in app["env"].items() if "value" in spec}
    variables.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://u:p@127.0.0.1:1/x",
        REDIS_URL="rediss://:p@127.0.0.1:1/0",
    )
    result = manage("check", "--deploy", env=base_env(**variables))
    assert result.returncode == 0, result.stderr
    assert "security.W" not in result.stderr and "obcms.E" not in result.stderr
