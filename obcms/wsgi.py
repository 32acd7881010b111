"""WSGI entry point for gunicorn (``python -m obcms.web --config gunicorn.conf.py obcms.wsgi``).

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

# gunicorn preloads this module in its master (preload_app): the URL map too, with every view
# and the API, so the forked workers share those pages of memory instead of each importing
# them at its first request (after every deploy and every max_requests restart): 110 MiB
# instead of 174 for master and two workers, at 0.3-0.5 s more before the first /health/
# (bench/web_startup.py). Nothing here opens a connection to share across the fork.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - the property imports the URL map

# Likewise the template engine: its loaders, every tag library and the context processors,
# which each worker would otherwise import at its first page.
from django.template import engines  # noqa: E402

for engine in engines.all():
    engine.engine.template_loaders  # noqa: B018 - the properties import them
    engine.engine.template_context_processors  # noqa: B018
