"""The one way obcms opens Redis itself (django-redis and Celery open their own): short
timeouts, so a hung Redis fails a probe or a beat tick instead of holding it, and the TLS
options of ``rediss://`` URLs (REDIS_SSL_CERT_REQS)."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def redis_client(url: str) -> redis.Redis:
    """A client for ``url``, one per process and URL: its connection pool is shared by the
    threads that use it, and re-opened after a fork."""
    options = settings.REDIS_SSL_OPTIONS if url.startswith("rediss:") else {}
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2, **options)
