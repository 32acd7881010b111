"""Staff accounts without the Django admin: the staff pages (administrators only), invitations,
password reset, the account page. In process, with Celery's eager mode standing in for the
worker; tests/test_accounts_email.py runs the real web, broker, worker and mail server."""

import re
import time
import uuid
from urllib.parse import quote, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obcms.accounts.models import Invitation, PasswordResetRequest, SignIn
from obcms.accounts.roles import role_of
from obcms.accounts.tasks import send_invitation
from obcms.platform import site_url
from tests.support import factories
from tests.support.processes import base_env, manage
from tests.support.services import TEST_SECRET_KEY
from tests.support.urls import all_url_names, url_for

pytestmark = pytest.mark.django_db

SITE = "https://obcms.example.org"
NEW_PASSWORD = "kalilintad-sa-umpongan-7"
INVITE = reverse("accounts:staff_invite")
RESET = reverse("accounts:password_reset")


@pytest.fixture(autouse=True)
def _site(settings) -> None:
    """A configured site address, and a cache of this test's own (throttle counts)."""
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["testserver", "obcms.example.org", "evil.example"]
    own = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": f"accounts-{uuid.uuid4()}",
    }
    settings.CACHES = {"default": own, "copies": own}


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """Tasks queued after commit run here, as the worker runs them (Celery's eager mode).
    ``worker.ran`` lists (task name, arguments); ``with worker.commit():`` wraps a request
    so that its queued tasks run when it ends."""
    from celery import signals

    from obcms.celery import app

    class Worker:
        ran: list[tuple[str, tuple]] = []

        @staticmethod
        def commit():
            return django_capture_on_commit_callbacks(execute=True)

    def record(sender=None, args=None, **kwargs) -> None:
        Worker.ran.append((sender.name, tuple(args)))

    Worker.ran = []
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    signals.task_prerun.connect(record, weak=False)
    yield Worker
    signals.task_prerun.disconnect(record)
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def person(role: str, name: str):
    return factories.user(role, username=name, email=f"{name}@example.org")


def link_in(message) -> str:
    (link,) = re.findall(r"https?://\S+/accounts/\S+", message.body)
    return link


def invite(client, worker, email: str = "norhana@example.org", role: str = "encoder"):
    with worker.commit():
        response = client.post(
            INVITE, {"first_name": "Norhana", "last_name": "Ali", "email": email, "role": role}
        )
    assert response.status_code == 302, response.content.decode()
    return response


def detail(user) -> str:
    return reverse("accounts:staff_detail", args=[user.pk])


# The staff pages: administrators only --------------------------------------------------


@pytest.mark.parametrize("role", ["encoder", "viewer"])
def test_an_encoder_or_a_viewer_gets_403_on_every_staff_page(client, role):
    someone = person("viewer", "someone")
    client.force_login(person(role, "notadmin"))
    pages = [(n, p) for n, p in all_url_names() if n.startswith("accounts:staff")]
    assert len(pages) == 3
    for name, pattern in pages:
        url = url_for(name, pattern).replace("/1/", f"/{someone.pk}/")
        assert client.get(url).status_code == 403, name
        assert (
            client.post(url, {"action": "deactivate", "role": "administrator"}).status_code == 403
        )
    someone.refresh_from_db()
    assert someone.is_active and role_of(someone) == "viewer"


def test_the_staff_list_shows_role_last_sign_in_and_status(client, worker):
    admin = person("administrator", "amina")
    encoder = person("encoder", "omar")
    encoder.last_login = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 30))
    encoder.save()
    gone = person("viewer", "salic")
    gone.is_active = False
    gone.save()
    client.force_login(admin)
    invite(client, worker, "fatima@example.org", "viewer")

    page = client.get(reverse("accounts:staff")).content.decode()
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r"<tr><td><a [^>]*>[^<]*</a></td><td>([^<]+)</td>.*?</tr>", page)
    }
    assert "Administrator" in rows["amina"] and "Active" in rows["amina"]
    assert "Encoder" in rows["omar"] and "2 Mar 2026, 09:30" in rows["omar"]
    assert "Viewer" in rows["salic"] and "Deactivated" in rows["salic"]
    assert "Viewer" in rows["fatima@example.org"] and "Invited" in rows["fatima@example.org"]
    assert "never" in rows["fatima@example.org"]


def test_the_staff_list_costs_the_same_queries_for_3_or_30_accounts(client):
    client.force_login(person("administrator", "amina"))
    for i in range(2):
        person("encoder", f"few{i}")
    few = factories.queries_for(client, reverse("accounts:staff"))
    for i in range(27):
        person(["viewer", "encoder"][i % 2], f"many{i}")
    assert factories.queries_for(client, reverse("accounts:staff")) == few


def test_an_administrator_cannot_demote_the_last_administrator(client):
    admin = person("administrator", "amina")
    client.force_login(admin)
    response = client.post(detail(admin), {"action": "role", "role": "encoder"})
    assert response.status_code == 200
    assert "the last active administrator" in response.content.decode()
    admin.refresh_from_db()
    assert role_of(admin) == "administrator" and admin.is_staff


def test_an_administrator_cannot_deactivate_the_last_administrator(client):
    admin = person("administrator", "amina")
    other = person("administrator", "jamal")
    other.is_active = False  # an inactive administrator does not count
    other.save()
    client.force_login(admin)
    response = client.post(detail(admin), {"action": "deactivate"})
    assert response.status_code == 200
    assert "the last active administrator" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_with_a_second_administrator_one_can_be_demoted(client):
    admin = person("administrator", "amina")
    other = person("administrator", "jamal")
    other.is_superuser = True
    other.save()
    client.force_login(admin)
    response = client.post(detail(other), {"action": "role", "role": "viewer"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert role_of(other) == "viewer"
    assert not other.is_staff and not other.is_superuser
    assert not other.has_perm("accounts.manage_staff")
    # Now amina is the last one.
    assert client.post(detail(admin), {"action": "role", "role": "viewer"}).status_code == 200


def test_a_deactivated_account_is_signed_out_and_refused_until_reactivated(client):
    client.force_login(person("administrator", "amina"))
    encoder = person("encoder", "omar")
    their_browser = Client()
    their_browser.force_login(encoder)
    assert their_browser.get("/communities/").status_code == 200

    assert client.post(detail(encoder), {"action": "deactivate"}).status_code == 302
    response = their_browser.get("/communities/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Client().login(username="omar", password="a-long-test-password")

    assert client.post(detail(encoder), {"action": "reactivate"}).status_code == 302
    assert Client().login(username="omar", password="a-long-test-password")


# Invitations ---------------------------------------------------------------------------


def test_an_invitation_link_works_once_then_is_refused(client, worker, mailoutbox):
    client.force_login(person("administrator", "amina"))
    invite(client, worker)
    (message,) = mailoutbox
    assert message.to == ["norhana@example.org"]
    link = link_in(message)
    assert link.startswith(f"{SITE}/accounts/welcome/")
    assert "72 hours" in message.body and "encoder" in message.body
    newcomer = get_user_model().objects.get(email="norhana@example.org")
    assert not newcomer.is_active and not newcomer.has_usable_password()
    assert not Client().login(username="norhana@example.org", password=NEW_PASSWORD)

    browser = Client()
    response = browser.get(urlsplit(link).path)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:welcome_set_password")
    response = browser.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert browser.login(username="norhana@example.org", password=NEW_PASSWORD)
    assert role_of(newcomer) == "encoder"

    again = Client().get(urlsplit(link).path)
    assert again.status_code == 200
    assert "This invitation link does not work" in again.content.decode()
    assert Invitation.objects.get().accepted_at is not None


def test_an_invitation_link_expires_72_hours_after_it_was_mailed(client, worker, mailoutbox):
    client.force_login(person("administrator", "amina"))
    invite(client, worker)
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.sent_at == timezone.timedelta(hours=72)
    browser = Client()
    set_password = browser.get(urlsplit(link_in(mailoutbox[0])).path)["Location"]

    Invitation.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    refused = browser.post(
        set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert "This invitation link does not work" in refused.content.decode()
    assert "does not work" in Client().get(urlsplit(link_in(mailoutbox[0])).path).content.decode()
    assert not get_user_model().objects.get(email="norhana@example.org").has_usable_password()
    assert "Invitation expired" in client.get(reverse("accounts:staff")).content.decode()


def test_a_new_invitation_withdraws_the_link_of_the_old_one(client, worker, mailoutbox):
    client.force_login(person("administrator", "amina"))
    invite(client, worker)
    newcomer = get_user_model().objects.get(email="norhana@example.org")
    with worker.commit():
        assert client.post(detail(newcomer), {"action": "invite"}).status_code == 302
    old, new = (urlsplit(link_in(m)).path for m in mailoutbox)
    assert Client().get(old).status_code == 200  # the "does not work" page
    assert Client().get(new).status_code == 302  # on to choosing a password


def test_an_invitation_delivered_twice_is_mailed_once(client, worker, mailoutbox):
    client.force_login(person("administrator", "amina"))
    invite(client, worker)
    send_invitation(Invitation.objects.get().pk)  # the broker delivers it again
    assert len(mailoutbox) == 1


def test_a_worker_dying_after_mailing_leaves_only_the_next_link_valid(client, mailoutbox):
    """Mailed, then killed before its transaction committed: the message exists but its
    token's hash was never stored; the task runs again and mails the one working link."""
    client.force_login(person("administrator", "amina"))
    response = client.post(
        INVITE, {"first_name": "N", "last_name": "A", "email": "n@example.org", "role": "viewer"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()

    class WorkerKilled(Exception):
        pass

    with pytest.raises(WorkerKilled), transaction.atomic():
        send_invitation(invitation.pk)
        raise WorkerKilled
    send_invitation(invitation.pk)
    first, second = (urlsplit(link_in(m)).path for m in mailoutbox)
    assert Client().get(first).status_code == 200  # refused
    assert Client().get(second).status_code == 302


def test_an_address_already_in_use_cannot_be_invited(client, worker):
    client.force_login(person("administrator", "amina"))
    person("viewer", "omar")
    response = client.post(
        INVITE, {"first_name": "O", "last_name": "", "email": "OMAR@example.org", "role": "viewer"}
    )
    assert response.status_code == 200
    assert "An account with this address exists already" in response.content.decode()


# Password reset ------------------------------------------------------------------------


def ask_for_reset(client, worker, email: str, **headers):
    with worker.commit():
        return client.post(RESET, {"email": email}, headers=headers)


def test_a_reset_link_works_once_then_is_refused(client, worker, mailoutbox):
    person("viewer", "omar")
    response = ask_for_reset(client, worker, "omar@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    path = urlsplit(link_in(mailoutbox[0])).path
    assert link_in(mailoutbox[0]).startswith(f"{SITE}/accounts/reset/")

    response = client.get(path)
    assert response.status_code == 302 and response["Location"].endswith("/set-password/")
    response = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert Client().login(username="omar", password=NEW_PASSWORD)
    assert "This link does not work" in Client().get(path).content.decode()


def test_a_reset_link_expires(client, worker, mailoutbox, settings):
    settings.PASSWORD_RESET_TIMEOUT = 1
    person("viewer", "omar")
    ask_for_reset(client, worker, "omar@example.org")
    time.sleep(2.1)  # Django's reset tokens count whole seconds
    assert (
        "This link does not work"
        in client.get(urlsplit(link_in(mailoutbox[0])).path).content.decode()
    )


def test_the_reset_link_uses_the_configured_site_not_the_host_header(client, worker, mailoutbox):
    person("viewer", "omar")
    response = ask_for_reset(client, worker, "omar@example.org", host="evil.example")
    assert response.status_code == 302
    assert link_in(mailoutbox[0]).startswith(f"{SITE}/accounts/reset/")
    assert "evil.example" not in mailoutbox[0].body


def test_a_reset_for_an_unknown_address_looks_and_works_the_same(client, worker, mailoutbox):
    """Same status, redirect, page and SQL, and the same task queued with a row's id: the web
    process cannot tell the two apart, so neither can its timing. Only the worker knows."""
    person("viewer", "omar")

    def ask(email: str):
        with worker.commit(), CaptureQueriesContext(connection) as queries:
            response = client.post(RESET, {"email": email})
        shapes = [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in queries]
        return response, shapes

    known, known_sql = ask("omar@example.org")
    unknown, unknown_sql = ask("nobody@example.org")
    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code,
        unknown["Location"],
        unknown.content,
    )
    assert known_sql == unknown_sql and len(known_sql) >= 1
    first, second = PasswordResetRequest.objects.order_by("pk")
    assert worker.ran == [
        ("obcms.accounts.tasks.send_password_reset", (first.pk,)),
        ("obcms.accounts.tasks.send_password_reset", (second.pk,)),
    ]
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content
    assert [m.to for m in mailoutbox] == [["omar@example.org"]]
    assert (first.accounts_mailed, second.accounts_mailed) == (1, 0)


def test_a_reset_delivered_twice_is_mailed_once(client, worker, mailoutbox):
    from obcms.accounts.tasks import send_password_reset

    person("viewer", "omar")
    ask_for_reset(client, worker, "omar@example.org")
    send_password_reset(PasswordResetRequest.objects.get().pk)
    assert len(mailoutbox) == 1


def test_reset_requests_are_throttled_per_address_asked_for_known_or_not(client, worker, settings):
    settings.LOCKOUT_ACCOUNT_FAILURES = 3
    person("viewer", "omar")
    for email in ("omar@example.org", "nobody@example.org"):
        statuses = [ask_for_reset(client, worker, email).status_code for _ in range(4)]
        assert statuses == [302, 302, 302, 200], email
        assert PasswordResetRequest.objects.filter(email=email).count() == 3
    refused = ask_for_reset(client, worker, "omar@example.org")
    assert "Too many reset requests" in refused.content.decode()


def test_reset_requests_are_throttled_per_client_address(client, worker, settings):
    settings.LOCKOUT_ADDRESS_FAILURES = 5
    settings.TRUSTED_PROXY_COUNT = 1  # one proxy in front, whose X-Forwarded-For counts
    statuses = [
        ask_for_reset(client, worker, f"someone{i}@example.org").status_code for i in range(6)
    ]
    assert statuses == [302] * 5 + [200]
    other_address = ask_for_reset(client, worker, "x@example.org", x_forwarded_for="192.0.2.9")
    assert other_address.status_code == 302


def test_a_pending_invitee_gets_no_reset_link(client, worker, mailoutbox):
    """An account without a password is reached by a new invitation, not a reset."""
    client.force_login(person("administrator", "amina"))
    invite(client, worker)
    Client().post(RESET, {"email": "norhana@example.org"})
    assert len(mailoutbox) == 1  # the invitation only


# The account page ----------------------------------------------------------------------


def test_the_account_page_shows_the_role_and_the_last_20_sign_ins(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    person("encoder", "omar")
    for i in range(1, 23):
        browser = Client()
        response = browser.post(
            reverse("login"),
            {"username": "omar", "password": "a-long-test-password"},
            headers={"user-agent": f"Browser/{i:02d}\x00"},
            REMOTE_ADDR=f"192.0.2.{i}",
        )
        assert response.status_code == 302
    assert SignIn.objects.count() == 20
    page = browser.get(reverse("accounts:account")).content.decode()
    assert "Encoder" in page
    assert "Browser/22" in page and "192.0.2.22" in page and "Browser/03" in page
    assert "Browser/02" not in page
    assert 'id="api-tokens"' in page and 'id="calendar-feed"' in page
    assert reverse("accounts:password_change") in page


def test_changing_the_password_on_the_account_page_signs_out_the_other_sessions(client):
    user = person("viewer", "omar")
    other = Client()
    other.force_login(user)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "a-long-test-password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    assert client.get(reverse("accounts:account")).status_code == 200
    assert other.get(reverse("accounts:account")).status_code == 302


def test_the_site_address_falls_back_to_the_first_concrete_allowed_host():
    assert site_url([".herokuapp.com", "obcms-demo.herokuapp.com"], debug=False) == (
        "https://obcms-demo.herokuapp.com"
    )
    assert site_url(["*", "obcms.example.org"], debug=False) == "https://obcms.example.org"
    assert site_url([".herokuapp.com"], debug=False) == ""
    assert site_url(["localhost", "127.0.0.1"], debug=True) == "http://localhost:8000"


def test_check_deploy_warns_when_no_site_address_is_known(tmp_path):
    env = base_env(
        SECRET_KEY=TEST_SECRET_KEY, ALLOWED_HOSTS=".herokuapp.com", DATA_DIR=str(tmp_path)
    )
    assert "accounts.W001" in manage("check", "--deploy", env=env).stderr
    env["HEROKU_APP_DEFAULT_DOMAIN_NAME"] = "obcms-demo.herokuapp.com"
    assert "accounts.W001" not in manage("check", "--deploy", env=env).stderr


# Odd input never gives a 500 -----------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(email=TEXT)
def test_the_reset_form_survives_anything(client, email):
    assert client.post(RESET, {"email": email}).status_code in (200, 302)


@FUZZ
@given(token=TEXT.filter(lambda t: "/" not in t and t.strip()))
def test_invitation_and_reset_links_survive_anything(client, token):
    welcome = client.get(f"/accounts/welcome/{quote(token)}/")
    assert welcome.status_code in (200, 302, 404)
    reset = client.get(f"/accounts/reset/{quote(token)}/{quote(token)}/")
    assert reset.status_code in (200, 302, 404)


@FUZZ
@given(
    form=st.fixed_dictionaries(
        {"first_name": TEXT, "last_name": TEXT, "email": TEXT, "role": TEXT, "action": TEXT}
    )
)
def test_the_staff_forms_survive_anything(client, form):
    admin = get_user_model().objects.filter(username="amina").first() or person(
        "administrator", "amina"
    )
    client.force_login(admin)
    assert client.post(INVITE, form).status_code in (200, 302)
    assert client.post(detail(admin), form).status_code in (200, 302, 400)
