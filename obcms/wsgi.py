"""WSGI entry point for gunicorn (``gunicorn --config gunicorn.conf.py obcms.wsgi``).

The environment is checked before the application is built, so a misconfigured deploy stops
with a list of problems instead of serving errors. gunicorn preloads the app in its master, so
this happens once, before any worker forks.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obcms.settings")

from obcms.env import stop_on_problems

stop_on_problems(serving=True)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
