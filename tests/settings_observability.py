"""Test tasks plus a failing view (DJANGO_SETTINGS_MODULE for the observability tests)."""

from tests.settings_tasks import *  # noqa: F403

ROOT_URLCONF = "tests.urls_observability"
