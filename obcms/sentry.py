"""Error reporting to Sentry, switched on by SENTRY_DSN (see settings) in web, worker and beat.

obcms holds personal data about vulnerable communities: nothing of it may leave for the error
tracker. Request bodies and frame variables are never sent, cookies and credentials are
stripped, values of sensitive keys are replaced wherever they appear (query strings, extra)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

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
        pairs = [
            (key, REDACTED if any(word in key.lower() for word in SENSITIVE) else value)
            for key, value in parse_qsl(query, keep_blank_values=True)
        ]
        request["query_string"] = urlencode(pairs)
    return event


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
