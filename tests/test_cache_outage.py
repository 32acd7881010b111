"""A hung Redis costs a page one cache timeout at most, not one per cache operation, and the
cache is used again once Redis answers (obcms/db/redis_cache.py)."""

import signal

import pytest
import redis

from tests.support import factories
from tests.support.processes import free_port, wait_until


@pytest.fixture
def hangable_cache(start, settings):
    """Both Redis cache aliases on a Redis server of this test's own, which it may stop."""
    port = free_port()
    server = start(
        f"redis-server --port {port} --save '' --appendonly no --bind 127.0.0.1",
        {"PATH": "/usr/bin:/bin"},
        name=f"redis-{port}",
    )
    server.wait_for_output("Ready to accept connections", timeout=10)
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {name: {**cache, "LOCATION": url} for name, cache in settings.CACHES.items()}
    yield server, redis.Redis(port=port)
    server.signal(signal.SIGCONT)


@pytest.mark.integration
@pytest.mark.django_db
def test_a_page_tries_a_hung_redis_once_then_uses_it_again_when_it_answers(client, hangable_cache):
    server, direct = hangable_cache
    client.force_login(factories.user("viewer"))
    assert client.get("/communities/").status_code == 200  # the cache's connection is open
    before = direct.info("stats")["total_connections_received"]
    server.signal(signal.SIGSTOP)
    try:
        pages = [client.get("/communities/").status_code for _ in range(2)]
    finally:
        server.signal(signal.SIGCONT)
    assert pages == [200, 200]
    # redis-py drops a connection that timed out: every further attempt opened a new one,
    # which the stopped server's kernel accepted and the server counts now that it runs.
    attempts = direct.info("stats")["total_connections_received"] - before
    assert attempts <= 1, f"{attempts} more cache operations tried the hung Redis"

    from django.core.cache import caches

    def cached_again() -> bool:
        caches["copies"].set("obcms:test:back", 1)
        return direct.get(":1:obcms:test:back") is not None

    wait_until(cached_again, 30, "the cache to be used again")
    assert client.get("/communities/").status_code == 200
