"""Values kept in the cache between requests and forgotten when what they come from changes.

Only with a cache every process shares (Redis): a change made in one web process must reach
the others at once (a role taken away, a session signed out). With the embedded local-memory
cache each process would keep its own stale copy, so ``remembered`` then computes the value on
every call, as if there were no cache.

Each kind of value has a generation (a counter in the cache); ``forget(kind)`` moves it on, so
that every value of that kind is read afresh, without listing their keys. One round trip reads
the generation and the value together.

A value is kept with the release that computed it and used only by that release: a deploy may
change a value's shape (a cached dataclass's fields, a row's HTML), and during a rolling deploy
the old and the new release share the cache. Generations and keys are shared, so ``forget``
reaches both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

T = TypeVar("T")
PREFIX = "obcms:remembered"
TIMEOUT = 60 * 60


def _copies():
    """The cache alias that answers "not found" instead of failing while Redis is down, so a
    value is computed from the database then (settings.CACHES["copies"])."""
    return caches["copies"]


def shared() -> bool:
    """Whether every process sees the same cache (not the local-memory fallback)."""
    return not isinstance(caches["default"], LocMemCache)


def _new_generation() -> int:
    """A start no earlier generation can equal, should the counter be evicted."""
    return time.time_ns() // 1000


def remembered(kind: str, key: str, compute: Callable[[], T]) -> T:
    """The value of ``kind``/``key`` as of the kind's current generation."""
    if not shared():
        return compute()
    cache = _copies()
    generation_key, value_key = f"{PREFIX}:{kind}", f"{PREFIX}:{kind}:{key}"
    found = cache.get_many([generation_key, value_key])
    generation = found.get(generation_key)
    if generation is None:
        cache.add(generation_key, _new_generation(), None)
        generation = cache.get(generation_key)
    stored = found.get(value_key)
    if stored is not None and stored[:2] == (generation, settings.RELEASE):
        return stored[2]
    value = compute()
    cache.set(value_key, (generation, settings.RELEASE, value), TIMEOUT)
    return value


def forget(kind: str, key: str | None = None) -> None:
    """Forget one value of ``kind`` (``key``), or all of them (a new generation)."""
    if not shared():
        return
    cache = _copies()
    if key is not None:
        cache.delete(f"{PREFIX}:{kind}:{key}")
        return
    generation_key = f"{PREFIX}:{kind}"
    if not cache.add(generation_key, _new_generation(), None):
        try:
            cache.incr(generation_key)
        except ValueError:  # evicted between add and incr
            cache.add(generation_key, _new_generation(), None)
