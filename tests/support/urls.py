"""The URL map as a crawler sees it: every named page, and the pages that change data."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages anyone may open: the probes, the sign-in page, and the password-reset and invitation
# pages (their links come by email to people who cannot sign in yet).
PUBLIC = {"health", "ready", "login"} | {
    f"accounts:{name}"
    for name in (
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "welcome",
        "welcome_set_password",
    )
}

# Archive and restore: administrators only (an encoder gets 403 too).
ARCHIVE_URLS = [
    "communities:archive",
    "communities:restore",
    "assessments:archive",
    "assessments:restore",
    "coordination:partner_archive",
    "coordination:partner_restore",
    "coordination:engagement_archive",
    "coordination:engagement_restore",
    "meetings:meeting_archive",
    "meetings:meeting_restore",
]

# Pages that change data; a viewer gets 403 on each.
WRITE_URLS = [
    "communities:create",
    "communities:edit",
    "communities:contact_create",
    "communities:contact_edit",
    "communities:contact_remove",
    "assessments:create",
    "assessments:edit",
    "assessments:submit",
    "assessments:validate",
    "assessments:return",
    "coordination:partner_create",
    "coordination:partner_edit",
    "coordination:engagement_create",
    "coordination:engagement_edit",
    "coordination:engagement_close",
    "meetings:meeting_create",
    "meetings:meeting_edit",
    "meetings:action_done",
    "reports:import_create",
    "accounts:staff_invite",
    "accounts:staff_detail",
    *ARCHIVE_URLS,
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
