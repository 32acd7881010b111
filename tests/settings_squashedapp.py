"""obcms settings plus an app whose migrations were squashed (DJANGO_SETTINGS_MODULE for the
migration-state tests)."""

from obcms.settings import *  # noqa: F403
from obcms.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.squashedapp"]
