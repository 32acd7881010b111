"""ASGI entry point, for servers that speak ASGI. obcms is deployed with gunicorn (WSGI)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "obcms.settings")

from obcms.env import stop_on_problems

stop_on_problems(serving=True)

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
