"""obcms settings plus an app whose migration fails (DJANGO_SETTINGS_MODULE for one test)."""

from obcms.settings import *  # noqa: F403
from obcms.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.brokenapp"]
