"""drf-spectacular's schema machinery, kept out of the processes that only serve the API.

drf-spectacular's ``@extend_schema`` builds its schema class at once, from AutoSchema, and DRF's
router reads every viewset's ``schema`` while it builds the URL map: either imports AutoSchema,
the generator's helpers and, through them, ``django.test`` and ``unittest``, about 3 MiB in every
web process, where only /api/v1/schema/, /api/v1/docs/ and ``manage.py spectacular`` use them.

- :func:`extend_schema` notes its arguments; obcms/api/schema.py, loaded by whatever generates
  a schema (its ``Generator`` is ``DEFAULT_GENERATOR_CLASS``, its ``RecordSchema``
  ``DEFAULT_SCHEMA_CLASS``), hands them to drf-spectacular in the order they were written, and
  from then on the decorator passes straight through.
- :class:`DeferredSchema` is the views' ``schema`` until then.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from rest_framework.schemas.inspectors import DefaultSchema

T = TypeVar("T")

_pending: list[tuple[Any, dict[str, Any]]] = []
_applied = False
_lock = threading.Lock()


def extend_schema(**kwargs: Any) -> Any:
    """drf_spectacular.utils.extend_schema, deferred (see above)."""

    def decorate(target: T) -> T:
        with _lock:
            if not _applied:
                _pending.append((target, kwargs))
                return target
        from drf_spectacular.utils import extend_schema as now

        return now(**kwargs)(target)

    return decorate


def apply_pending() -> None:
    """Apply every deferred decoration, once; called by obcms/api/schema.py as it loads."""
    global _applied
    from drf_spectacular.utils import extend_schema as now

    with _lock:
        _applied = True  # first: the decorations read DeferredSchema from the classes
        for target, kwargs in _pending:
            now(**kwargs)(target)
        _pending.clear()


class DeferredSchema(DefaultSchema):
    """DRF's default ``schema`` (``DEFAULT_SCHEMA_CLASS``, for a view instance), except that
    read from the class before obcms/api/schema.py has loaded (DRF's router does, listing a
    viewset's members while the URL map is built) it does not import that class."""

    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None and not _applied:
            return self
        return super().__get__(instance, owner)
