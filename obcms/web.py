"""The Procfile's web process: gunicorn, with the arguments it is given.

    python -m obcms.web --config gunicorn.conf.py obcms.wsgi

gunicorn reads WEB_CONCURRENCY as it is imported, before any config file (the default of its
``workers`` setting, gunicorn/config.py: ``int(os.environ.get("WEB_CONCURRENCY", 1))``), so a
malformed value, or a blank one, stopped it with a traceback before gunicorn.conf.py could say
what was wrong. This reads the variable first, as gunicorn.conf.py does, then runs gunicorn in
this same process.
"""

from __future__ import annotations

import os
import sys

from obcms.env import Env, exit_with

# Worker processes per web container; each holds GUNICORN_THREADS database connections.
WEB_CONCURRENCY_MAX = 64


def main() -> None:
    env = Env()
    env.int("WEB_CONCURRENCY", default=1, minimum=1, maximum=WEB_CONCURRENCY_MAX)
    if env.problems:
        exit_with(env.problems)
    if env.raw("WEB_CONCURRENCY") is None:
        os.environ.pop("WEB_CONCURRENCY", None)  # blank means unset, for gunicorn too

    from gunicorn.app.wsgiapp import run

    sys.argv[0] = "gunicorn"
    run()


if __name__ == "__main__":
    main()
