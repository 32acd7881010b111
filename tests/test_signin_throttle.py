"""The sign-in throttle (hardening issue, finding 5; nothing-lost issue, sign-in and the cache):
counted atomically, per address before per account, the client address from the proxies the
platform puts in front, and sign-in working with the cache unreachable."""

from __future__ import annotations

import logging
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory

from obcms.env import Env
from obcms.platform import default_proxy_count
from obcms.security import signin
from tests.support import factories
from tests.support.processes import settings_values

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = b"Please enter a correct username"
LOCKED = b"Too many failed sign-ins"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    signin._local.clear()
    signin._down_since = None
    yield
    signin._down_since = None


def sign_in(username: str, password: str, address: str = "192.0.2.1") -> bytes:
    response = Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})
    return b"302" if response.status_code == 302 else response.content


def test_the_client_address_is_the_one_the_trusted_proxies_saw(settings):
    request = RequestFactory().get(
        "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2", REMOTE_ADDR="10.0.0.3"
    )
    settings.TRUSTED_PROXY_COUNT = 0  # no proxy: whatever the client wrote is ignored
    assert signin.client_address(request) == "10.0.0.3"
    settings.TRUSTED_PROXY_COUNT = 1
    assert signin.client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2
    assert signin.client_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 5  # shorter than the proxies: did not come through them
    assert signin.client_address(request) == "10.0.0.3"


def test_one_proxy_by_default_on_a_platform_none_without():
    assert default_proxy_count(Env({})) == 0
    for platform in (
        {"DYNO": "web.1"},
        {"COOLIFY_FQDN": "https://o.example.org"},
        {"RENDER": "true"},
    ):
        assert default_proxy_count(Env(platform)) == 1, platform
    values = settings_values("s.TRUSTED_PROXY_COUNT", DYNO="web.1", TRUSTED_PROXY_COUNT="2")
    assert values == [2]


def test_a_stranger_locks_an_account_for_their_own_address_only(settings):
    settings.LOCKOUT_ACCOUNT_GLOBAL_FAILURES = 25
    factories.user("administrator", username="amina")
    for attempt in range(10):
        assert WRONG in sign_in("amina", f"wrong-{attempt}", "198.51.100.66")
    assert LOCKED in sign_in("amina", "a-long-test-password", "198.51.100.66")
    assert sign_in("amina", "a-long-test-password", "192.0.2.10") == b"302"
    # Spread over many addresses, the account's own ceiling still holds.
    for attempt in range(25):
        sign_in("amina", f"wrong-{attempt}", f"203.0.113.{attempt}")
    assert LOCKED in sign_in("amina", "a-long-test-password", "192.0.2.10")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_do_not_pass_the_limit():
    """60 attempts at once from one address: exactly 10 passwords are checked."""
    factories.user("encoder", username="omar")
    answers: list[bytes] = []
    start = threading.Barrier(60)

    def attempt(number: int) -> None:
        client = Client(REMOTE_ADDR="198.51.100.5")
        start.wait()
        try:
            answers.append(
                client.post(LOGIN, {"username": "omar", "password": f"x{number}"}).content
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 60
    assert sum(WRONG in answer for answer in answers) == 10
    assert sum(LOCKED in answer for answer in answers) == 50


def test_sign_in_works_with_the_cache_unreachable_and_warns_once(settings, caplog):
    factories.user("viewer", username="fatima")
    dead = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }
    # As settings.py has it with REDIS_URL: sessions and remembered values in "copies".
    copies = {**dead, "OPTIONS": {**dead["OPTIONS"], "IGNORE_EXCEPTIONS": True}}
    settings.CACHES = {"default": dead, "copies": copies}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "copies"
    with caplog.at_level(logging.WARNING, logger="obcms.security.signin"):
        assert sign_in("fatima", "a-long-test-password") == b"302"
        assert sign_in("fatima", "a-long-test-password") == b"302"
        # Still throttled, in this process's memory.
        for attempt in range(10):
            assert WRONG in sign_in("fatima", f"wrong-{attempt}")
        assert LOCKED in sign_in("fatima", "a-long-test-password")
    warnings = [r for r in caplog.records if "cache is unreachable" in r.getMessage()]
    assert len(warnings) == 1
    # Signed in, the pages read the session, permissions and choices from the database.
    reader = Client()
    reader.force_login(factories.user("viewer", username="amina"))
    assert reader.get("/communities/").status_code == 200
