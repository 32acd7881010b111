"""The Procfile's web process: gunicorn, with the arguments it is given.

    python -m obcms.web --config gunicorn.conf.py obcms.wsgi

gunicorn reads WEB_CONCURRENCY as it is imported, before any config file (the default of its
``workers`` setting, gunicorn/config.py: ``int(os.environ.get("WEB_CONCURRENCY", 1))``), so a
malformed value, or a blank one, stopped it with a traceback before gunicorn.conf.py could say
what was wrong. gunicorn is imported here with a placeholder in its place, then the value given
is put back for gunicorn.conf.py, which checks it with every other variable and names every
problem in one start.
"""

from __future__ import annotations

import os
import sys

# Worker processes per web container; each holds GUNICORN_THREADS database connections.
WEB_CONCURRENCY_MAX = 64


def main() -> None:
    given = os.environ.get("WEB_CONCURRENCY")
    os.environ["WEB_CONCURRENCY"] = "1"  # gunicorn.conf.py sets ``workers`` itself
    try:
        from gunicorn.app.wsgiapp import run
    finally:
        if given is None:
            del os.environ["WEB_CONCURRENCY"]
        else:
            os.environ["WEB_CONCURRENCY"] = given

    sys.argv[0] = "gunicorn"
    run()


if __name__ == "__main__":
    main()
