"""The accounts' deployment check: emails need to know where the site is."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

NO_SITE_URL = Warning(
    "No site address is known, so invitation and password-reset emails cannot link back "
    "(SITE_URL is unset and ALLOWED_HOSTS names only wildcards).",
    hint="Set SITE_URL to the address staff open, e.g. https://obcms.example.org",
    id="accounts.W001",
)


@register(Tags.security, deploy=True)
def check_site_url(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    return [] if settings.SITE_URL else [NO_SITE_URL]
