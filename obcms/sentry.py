"""Error reporting to Sentry, switched on by SENTRY_DSN (see settings)."""

from __future__ import annotations


def init_sentry(*, dsn: str, release: str, environment: str, traces_sample_rate: float) -> None:
    """Initialise the SDK for whichever process imported the settings (web, worker, beat)."""
    import logging

    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        release=release,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(monitor_beat_tasks=False),
            RedisIntegration(),
            LoggingIntegration(level=logging.INFO, event_level=logging.ERROR),
        ],
    )
