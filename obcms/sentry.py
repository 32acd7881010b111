"""Error reporting to Sentry, switched on by SENTRY_DSN (see settings) in web, worker and beat.

obcms holds personal data about vulnerable communities: nothing of it may leave for the error
tracker. Request bodies and frame variables are never sent, cookies and credentials are
stripped, values of sensitive keys are replaced wherever they appear (extra, tags). Query
strings keep only the values of the parameters in QUERY_KEYS_SENT (ids, choices, dates,
paging): an allow-list, because a deny-list misses the next free-text filter (``q``,
``leader``). Text in quotes is cut from exception values and log messages: that is where
Python, Django and obcms put what a user typed or uploaded (``invalid literal for int():
'²'``, ``Detected path traversal attempt in '<file name>'``)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters whose values may leave: ids, choices, dates, paging and sorting, from the
# filters of our lists, the map and the admin. Any other parameter is sent as [Filtered].
QUERY_KEYS_SENT = frozenset(
    {
        *("page", "sort", "o", "p", "e", "all", "page_size", "cursor", "format"),
        *("archived", "incomplete", "verification", "status", "kind", "colour", "follow_up"),
        *("region", "province", "municipality", "barangay", "place", "group", "community"),
        *("partner", "is_active", "assessed_from", "assessed_to", "date_from", "date_to"),
    }
)
# '…' or "…" (what repr() and Django's messages quote), up to 2,000 characters.
QUOTED = re.compile(r"'[^'\n]{0,2000}'|\"[^\"\n]{0,2000}\"")

# Keys whose values never leave: credentials, session material, and the personal data our
# forms collect (names, contacts).
SENSITIVE = [
    "password",
    "passwd",
    "secret",
    "token",
    "csrftoken",
    "csrfmiddlewaretoken",
    "sessionid",
    "session",
    "session_key",
    "cookie",
    "cookies",
    "authorization",
    "api_key",
    "apikey",
    "phone",
    "email",
    "contact",
    "contact_person",
    "first_name",
    "last_name",
    "username",
    "name",
    "leaders",
    "x_api_key",
]
REDACTED = "[Filtered]"


def scrub(event: dict, hint: dict | None = None) -> dict:
    """before_send: drop cookies and auth headers, redact sensitive query parameters."""
    request = event.get("request") or {}
    request.pop("cookies", None)
    request.pop("data", None)
    headers = request.get("headers") or {}
    for name in list(headers):
        if name.lower() in ("cookie", "authorization", "x-csrftoken", "proxy-authorization"):
            headers[name] = REDACTED
    query = request.get("query_string")
    if isinstance(query, str) and query:
        request["query_string"] = scrub_query(query)
    url = request.get("url")
    if isinstance(url, str) and "?" in url:
        parts = urlsplit(url)
        request["url"] = urlunsplit(parts._replace(query=scrub_query(parts.query)))
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = strip_quoted(exception["value"])
    _scrub_log_entry(event.get("logentry"))
    extra = event.get("extra")
    if isinstance(extra, dict):  # Django's log records carry repr(request): path and query
        for key, value in extra.items():
            if isinstance(value, str):
                extra[key] = strip_quoted(value)
    if isinstance(event.get("message"), str):
        event["message"] = strip_quoted(event["message"])
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        if isinstance(crumb.get("message"), str):
            crumb["message"] = strip_quoted(crumb["message"])
    return event


def scrub_query(query: str) -> str:
    """``query`` with the value of every parameter outside QUERY_KEYS_SENT replaced."""
    pairs = [
        (key, value if key in QUERY_KEYS_SENT else REDACTED)
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return urlencode(pairs)


def strip_quoted(text: str) -> str:
    """``text`` with every quoted part replaced: the user's input in an error message."""
    return QUOTED.sub("'[Filtered]'", text)


def _scrub_log_entry(entry: object) -> None:
    """A log record's event: its parameters (user input, often) are dropped, and what the
    message quotes is cut."""
    if not isinstance(entry, dict):
        return
    if entry.get("params"):
        entry["params"] = []
        entry["formatted"] = strip_quoted(str(entry.get("message", "")))
    for key in ("message", "formatted"):
        if isinstance(entry.get(key), str):
            entry[key] = strip_quoted(entry[key])


def init_sentry(
    *,
    dsn: str,
    release: str,
    environment: str,
    traces_sample_rate: float,
    profiles_sample_rate: float,
) -> None:
    """Initialise the SDK for whichever process imported the settings."""
    import logging

    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration, ignore_logger
    from sentry_sdk.integrations.redis import RedisIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=dsn,
        release=release,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        profiles_sample_rate=profiles_sample_rate,
        send_default_pii=False,
        max_request_body_size="never",
        # Frame variables hold model instances and requests whose reprs carry names and query
        # strings; the stack trace itself is enough to find the bug.
        include_local_variables=False,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *SENSITIVE], recursive=True),
        before_send=scrub,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(monitor_beat_tasks=False),
            RedisIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
    # Scanners sending the wrong Host header are not errors of ours.
    ignore_logger("django.security.DisallowedHost")
