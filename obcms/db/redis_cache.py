"""The Redis cache client with a circuit breaker: one slow failure, then a few seconds of
instant misses.

django-redis gives every cache operation the socket timeouts of settings.CACHES (2 s). With
Redis hung (stopped, blackholed), each of a page's cache operations waited its full timeout
before the ``copies`` alias ignored the error: about 18 operations, 36 s a page. Here, once an
operation fails to connect or times out, every cache operation of this process on that Redis
fails at once for ``COOL_DOWN`` seconds (a miss for ``copies``, which ignores errors; the same
redis ``ConnectionError`` as the outage itself for ``default``). Then one operation tries
Redis again while the others still skip it: if it answers, the cache is used again by all.
A page thus waits for one timeout at most; /ready/ still reports the outage (its PING is not
a cache operation).

Settings: OPTIONS ``CLIENT_CLASS`` of both Redis aliases (settings.CACHES).
"""

from __future__ import annotations

import functools
import logging
import socket
import threading
import time
from collections.abc import Callable

from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("obcms.cache")

COOL_DOWN = 5.0  # seconds of instant misses after a failure, before Redis is tried again
OUTAGES = (RedisConnectionError, RedisTimeoutError, socket.timeout)


class Breaker:
    """Whether one Redis server is worth trying, shared by the threads of a process."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.down = False
        self.retry_at = 0.0

    def allow(self) -> bool:
        if not self.down:
            return True
        with self.lock:
            now = time.monotonic()
            if now < self.retry_at:
                return False
            self.retry_at = now + COOL_DOWN  # this caller tries; the others keep skipping
            return True

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            if not self.down:
                logger.warning(
                    "cache: Redis failed (%s); cache operations skip it for %gs at a time "
                    "until it answers",
                    type(exc).__name__,
                    COOL_DOWN,
                )
            self.down = True
            self.retry_at = time.monotonic() + COOL_DOWN

    def succeeded(self) -> None:
        if self.down:
            with self.lock:
                self.down = False
            logger.info("cache: Redis answers again")


_BREAKERS: dict[tuple[str, ...], Breaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(servers: list[str]) -> Breaker:
    """One breaker per server for the whole process: both aliases share it."""
    key = tuple(servers)
    with _BREAKERS_LOCK:
        if key not in _BREAKERS:
            _BREAKERS[key] = Breaker(",".join(servers))
        return _BREAKERS[key]


_depth = threading.local()


def _outage(exc: BaseException) -> BaseException | None:
    cause = exc.__cause__ if isinstance(exc, ConnectionInterrupted) else exc
    return cause if isinstance(cause, OUTAGES) else None


def _guarded(method: Callable) -> Callable:
    @functools.wraps(method)
    def guarded(self: BreakerClient, *args: object, **kwargs: object) -> object:
        depth = getattr(_depth, "value", 0)
        if depth:  # inside another guarded operation (add calls set): that one decides
            return method(self, *args, **kwargs)
        breaker = self.breaker
        if not breaker.allow():
            skipped = RedisConnectionError(
                f"Redis skipped for up to {COOL_DOWN:g}s after a failure"
            )
            raise ConnectionInterrupted(connection=None) from skipped
        _depth.value = 1
        try:
            result = method(self, *args, **kwargs)
        except (ConnectionInterrupted, *OUTAGES) as exc:
            outage = _outage(exc)
            if outage is not None:
                breaker.failed(outage)
            raise
        finally:
            _depth.value = 0
        breaker.succeeded()
        return result

    return guarded


class BreakerClient(DefaultClient):
    """django-redis's default client, every operation behind the server's :class:`Breaker`."""

    @functools.cached_property
    def breaker(self) -> Breaker:
        return breaker_for(self._server)


# Plumbing, not operations on Redis (iterators and locks do theirs later): left as they are.
NOT_OPERATIONS = {
    "iter_keys",
    "sscan_iter",
    "lock",
    "get_client",
    "get_client_with_index",
    "get_next_client_index",
    "connect",
    "disconnect",
    "close",
    "do_close_clients",
    "encode",
    "decode",
    "make_key",
    "make_pattern",
}
for _name, _method in list(vars(DefaultClient).items()):
    if callable(_method) and not _name.startswith("_") and _name not in NOT_OPERATIONS:
        setattr(BreakerClient, _name, _guarded(_method))
