"""WSGI entry point for gunicorn (``gunicorn --config gunicorn.conf.py obcms.wsgi``).

The environment is checked before the application is built, and the deployment errors the
release refuses (a weak SECRET_KEY, ALLOWED_HOSTS=*, an http:// CSRF origin) right after, so a
misconfigured deploy stops with a list of problems instead of serving. gunicorn preloads the
app in its master, so this happens once, before any worker forks.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obcms.settings")

from obcms.env import stop_on_problems

stop_on_problems(serving=True)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

# The release refuses these too, but Heroku and Dokku start web where release never ran.
from obcms.env import exit_with  # noqa: E402
from obcms.ops.checks import serving_errors  # noqa: E402

if serving_errors():
    exit_with(serving_errors())
