"""Figures counted over many registry records (a list's count and totals, a place profile, the
dashboard's chain figures, a community profile's parts), remembered between requests and
forgotten when any record they could count changes.

At 100,000 communities and 500,000 needs these are the pages' costliest queries: a region's
needs totalled by sector read 150,000 rows, its place profile aggregates 35,000 communities
(issue 19). Their rows change far less often than they are read, so each figure is kept in the
shared cache (obcms/db/shared_cache.py) under its query, and every figure is forgotten at once
(a new generation) when a record of the apps they count is saved, deleted or relinked: at
once, and again when the change commits (a figure another process recomputed in between
would keep the old value).

Writes that skip the model signals forget the figures themselves: the places loader
(``places_loaded``) and the bulk inserts (``obcms.db.bulk.insert``). Without a shared cache
(Redis) every figure is computed on every request, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from obcms.db.bulk import written
from obcms.db.shared_cache import forget, remembered
from obcms.geography.loading import places_loaded

T = TypeVar("T")
FIGURES = "figures"
# The apps whose records the figures count or name (places: names and census populations;
# meetings: a community profile's meetings and their open action items).
SOURCE_APPS = frozenset(
    {"communities", "assessments", "coordination", "ppas", "policies", "geography", "meetings"}
)


def figure(key: str, compute: Callable[[], T]) -> T:
    """The figure named ``key`` as of the last change to the records it counts."""
    return remembered(FIGURES, key, compute)


def query_key(name: str, queryset: QuerySet) -> str:
    """A figure's key from the query that computes it (its SQL and parameters)."""
    sql, params = queryset.query.sql_with_params()
    return name + ":" + hashlib.sha256(f"{sql}{params}".encode()).hexdigest()


def counted(queryset: QuerySet) -> int:
    """``queryset.count()``, remembered."""
    return figure(query_key("count", queryset.order_by()), queryset.count)


def forget_figures() -> None:
    """Every figure is read afresh: at once (this connection sees its own change), and again
    once the transaction commits (another process may have counted in between), once per
    transaction however many rows it changes."""
    forget(FIGURES)
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        callback is _forget_after_commit for _, callback, _ in connection.run_on_commit
    ):
        transaction.on_commit(_forget_after_commit, robust=True)


def _forget_after_commit() -> None:
    forget(FIGURES)


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
@receiver(written)
def record_changed(sender: type[Model], **kwargs: object) -> None:
    if str(kwargs.get("action", "post_")).startswith("pre_"):  # m2m_changed: after only
        return
    if sender._meta.app_label in SOURCE_APPS:
        forget_figures()


@receiver(places_loaded)
def places_changed(**kwargs: object) -> None:
    forget_figures()
