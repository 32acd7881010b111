"""The account emails the way production sends them: gunicorn from the Procfile's web line
queues a task in Redis, the Procfile's worker takes it and mails over SMTP (a mail server on
loopback, tests/support/mailbox.py). What travels through the broker, the mail and the logs is
read back from the real thing."""

import base64
import hashlib
import json
import time
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

from tests.support.mailbox import first_link
from tests.support.processes import Browserless, manage, procfile

pytestmark = pytest.mark.integration

SITE = "https://obcms.example.org"
ADMIN_PASSWORD = "amina-admin-password-31"


@pytest.fixture
def site(start, production_env, released_database, own_redis, mailbox, port):
    """A released PostgreSQL database with one administrator, Redis (a database of this
    test's own) as broker, and the web process. The worker is started by each test, when it
    has looked at the queue."""
    env = {
        **production_env,
        "DATABASE_URL": released_database,
        "REDIS_URL": own_redis(6),
        # evil.example is allowed on purpose: the Host check passes, so only SITE_URL can keep
        # it out of the links.
        "ALLOWED_HOSTS": "obcms.example.org,localhost,evil.example",
        "SITE_URL": SITE,
        "EMAIL_URL": mailbox.url,
        "LOG_LEVEL": "debug",  # the most a log can say
        "PORT": str(port),
    }
    release = manage("release", env=env)
    assert release.returncode == 0, release.stdout + release.stderr
    created = manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "amina",
        "--email",
        "amina@example.org",
        env={**env, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
    )
    assert created.returncode == 0, created.stderr
    web = start(procfile()["web"], env, name="web")
    web.wait_for_http(f"http://127.0.0.1:{port}/health/")
    return {
        "env": env,
        "base": f"http://127.0.0.1:{port}",
        "web": web,
        "start_worker": lambda: start(procfile()["worker"], env, name="worker"),
        "broker": redis.Redis.from_url(env["REDIS_URL"]),
        "database": released_database,
    }


def ask_for_reset(site, email: str, host: str = "obcms.example.org") -> int:
    client = Browserless(site["base"], host=host)
    token = client.csrf_form("/accounts/password-reset/")
    status, _, _ = client.request(
        "POST", "/accounts/password-reset/", {"email": email, "csrfmiddlewaretoken": token}
    )
    return status


def follow(link: str, site, new_password: str, host: str = "obcms.example.org") -> Browserless:
    """Open an emailed link as its reader would and choose ``new_password``."""
    client = Browserless(site["base"], host=host)
    status, headers, _ = client.request("GET", urlsplit(link).path)
    assert status == 302, status
    form = headers["Location"]
    token = client.csrf_form(form)
    status, headers, _ = client.request(
        "POST",
        form,
        {
            "new_password1": new_password,
            "new_password2": new_password,
            "csrfmiddlewaretoken": token,
        },
    )
    assert status == 302, status
    return client


def queued(site) -> list[bytes]:
    """The messages waiting in the broker's default queue, raw, as Redis holds them."""
    return site["broker"].lrange("celery", 0, -1)


def test_a_reset_link_uses_the_configured_site_even_when_the_request_said_host_evil_example(
    site, mailbox
):
    assert ask_for_reset(site, "amina@example.org", host="evil.example") == 302
    site["start_worker"]()
    (message,) = mailbox.wait_for(1)
    link = first_link(message)
    assert link.startswith(f"{SITE}/accounts/reset/"), link
    assert "evil.example" not in message.as_string()
    assert message["To"] == "amina@example.org"
    follow(link, site, "a-brand-new-password-9")
    Browserless(site["base"], host="obcms.example.org").sign_in("amina", "a-brand-new-password-9")


def test_no_password_or_token_in_task_arguments_broker_messages_or_logs(site, mailbox):
    admin = Browserless(site["base"], host="obcms.example.org")
    admin.sign_in("amina", ADMIN_PASSWORD)
    token = admin.csrf_form("/accounts/staff/invite/")
    status, _, _ = admin.request(
        "POST",
        "/accounts/staff/invite/",
        {
            "first_name": "Norhana",
            "last_name": "Ali",
            "email": "norhana@example.org",
            "role": "encoder",
            "csrfmiddlewaretoken": token,
        },
    )
    assert status == 302
    assert ask_for_reset(site, "amina@example.org") == 302

    # What the web process published, read from Redis before any worker takes it.
    raw = queued(site)
    messages = [json.loads(m) for m in raw]
    with psycopg.connect(site["database"]) as db:
        (invitation_id,) = db.execute("SELECT id FROM accounts_invitation").fetchone()
        (reset_id,) = db.execute("SELECT id FROM accounts_passwordresetrequest").fetchone()
    published = {m["headers"]["task"]: json.loads(base64.b64decode(m["body"]))[0] for m in messages}
    assert published == {
        "obcms.accounts.tasks.send_invitation": [invitation_id],
        "obcms.accounts.tasks.send_password_reset": [reset_id],
    }

    worker = site["start_worker"]()
    invitation, reset = sorted(mailbox.wait_for(2), key=lambda m: m["To"], reverse=True)
    assert invitation["To"] == "norhana@example.org" and reset["To"] == "amina@example.org"
    invitation_link, reset_link = first_link(invitation), first_link(reset)
    invitation_token = urlsplit(invitation_link).path.split("/")[-2]
    reset_token = urlsplit(reset_link).path.split("/")[-2]
    assert len(invitation_token) >= 40 and len(reset_token) >= 20

    follow(invitation_link, site, "norhana-chose-this-one-4")
    Browserless(site["base"], host="obcms.example.org").sign_in(
        "norhana@example.org", "norhana-chose-this-one-4"
    )
    follow(reset_link, site, "amina-chose-another-8")
    time.sleep(1)  # access lines are written after their responses

    with psycopg.connect(site["database"]) as db:
        (stored,) = db.execute("SELECT token_hash FROM accounts_invitation").fetchone()
    assert stored == hashlib.sha256(invitation_token.encode()).hexdigest()

    secrets = {
        "invitation token": invitation_token,
        "reset token": reset_token,
        "administrator's password": ADMIN_PASSWORD,
        "invitee's password": "norhana-chose-this-one-4",
        "new password": "amina-chose-another-8",
    }
    places = {
        "broker messages": b"\n".join(raw).decode(),
        "web log": site["web"].output,
        "worker log": worker.output,
    }
    assert "/accounts/welcome/[redacted]/" in places["web log"]  # the link was opened, logged
    assert "send_invitation" in places["worker log"]  # the worker logged its work
    for place, text in places.items():
        for what, secret in secrets.items():
            assert secret not in text, f"the {what} appears in the {place}"
