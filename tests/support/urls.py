"""The URL map as a crawler sees it: every named page, and the pages that change data."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages anyone may open: the probes and the sign-in page.
PUBLIC = {"health", "ready", "login"}

# Pages that change data; a viewer gets 403 on each.
WRITE_URLS = [
    "communities:create",
    "communities:edit",
    "assessments:create",
    "assessments:edit",
    "assessments:submit",
    "assessments:validate",
    "coordination:partner_create",
    "coordination:engagement_create",
    "reports:import_create",
]


def all_url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator:
    """``(name, pattern)`` for every named URL outside the admin and the API."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            # The admin is Django's; the API answers 401 JSON, not a sign-in redirect, and
            # tests/test_api.py walks its schema instead.
            if entry.app_name in ("admin", "api"):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def url_for(name: str, pattern: URLPattern) -> str:
    """The URL of ``name`` with 1 for every argument."""
    kwargs = {key: 1 for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)
