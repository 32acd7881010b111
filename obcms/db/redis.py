"""The one way obcms opens Redis itself (django-redis and Celery open their own): short
timeouts, so a hung Redis fails a probe or a beat tick instead of holding it, and the TLS
options of ``rediss://`` URLs (REDIS_SSL_CERT_REQS).

redis-py (61 modules, about 6 MiB of memory) is imported only by a deployment that uses Redis:
:func:`load_client_modules` does it at start-up when :func:`in_use`, so that a web master that
preloads the app shares it with its workers and no probe thread imports it for the first time
(two threads importing one module at once can deadlock on the import lock). The embedded
defaults never load it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    import redis

REDIS_SCHEMES = ("redis:", "rediss:")


def in_use() -> bool:
    """Redis is the cache (REDIS_URL) or the Celery broker (CELERY_BROKER_URL)."""
    return bool(settings.REDIS_URL) or settings.CELERY_BROKER_URL.startswith(REDIS_SCHEMES)


def load_client_modules() -> None:
    """Import what talking to Redis needs, once, while the process starts (see above)."""
    if in_use():
        import django_redis.cache
        import django_redis.client  # noqa: F401
        import redis
        import redis.lock  # noqa: F401

        import obcms.db.redis_cache  # noqa: F401 - the cache's client class


@cache
def redis_client(url: str) -> redis.Redis:
    """A client for ``url``, one per process and URL: its connection pool is shared by the
    threads that use it, and re-opened after a fork."""
    import redis

    options = settings.REDIS_SSL_OPTIONS if url.startswith("rediss:") else {}
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, **options)
