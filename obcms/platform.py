"""What the hosting platform tells us about ourselves (public host names, the release id), and
the paths its probes ask us on.

Explicit variables (``ALLOWED_HOSTS``, ``CSRF_TRUSTED_ORIGINS``) always win; these are the
fallbacks, so a first deploy works before anyone has typed a host name.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from obcms.env import Env

# Liveness and readiness, as app.json and the platform guides name them. Answered before host
# validation (obcms/health/middleware.py), and logged only at debug level (obcms/logs.py).
HEALTH_PATH = "/health/"
READY_PATH = "/ready/"
PROBE_PATHS = (HEALTH_PATH, READY_PATH)

# Injected by the platform at run time, newest convention first.
RELEASE_VARIABLES = (
    "SOURCE_COMMIT",
    "HEROKU_SLUG_COMMIT",
    "RAILWAY_GIT_COMMIT_SHA",
    "RENDER_GIT_COMMIT",
)


def platform_hosts(env: Env) -> list[str]:
    """Public host names announced by Coolify, Render, Railway or Heroku (dyno metadata)."""
    hosts: list[str] = []
    # Coolify: comma-separated, with scheme; which of the two holds the FQDN changed between
    # versions, so take both.
    for name in ("COOLIFY_FQDN", "COOLIFY_URL"):
        for item in env.list(name):
            host = urlsplit(item if "://" in item else f"https://{item}").hostname
            if host:
                hosts.append(host)
    for name in (
        "RENDER_EXTERNAL_HOSTNAME",
        "RAILWAY_PUBLIC_DOMAIN",
        "HEROKU_APP_DEFAULT_DOMAIN_NAME",
    ):
        value = env.str(name)
        if value:
            hosts.append(value)
    return list(dict.fromkeys(hosts))


def https_origins(hosts: list[str]) -> list[str]:
    """CSRF origins for ``hosts``: Django 4+ wants the scheme, and we only serve https."""
    origins = []
    for host in hosts:
        if host == "*":
            continue
        # ".example.org" in ALLOWED_HOSTS means any subdomain; the origin form is "*.example.org".
        origins.append(f"https://*{host}" if host.startswith(".") else f"https://{host}")
    return origins


def release_id(env: Env) -> str:
    """The commit being run, as the platform names it, or "" when none does."""
    for name in RELEASE_VARIABLES:
        value = env.str(name)
        if value:
            return value
    return ""


def site_url(hosts: list[str], *, debug: bool) -> str:
    """The address links in emails point to when SITE_URL is not set: https and the first
    concrete host (wildcards such as ``.herokuapp.com`` name no site), or "" when there is
    none. A developer's machine (DEBUG, localhost) is ``make run``'s http://localhost:8000."""
    for host in hosts:
        if host == "*" or host.startswith("."):
            continue
        if debug and host in ("localhost", "127.0.0.1", "[::1]"):
            return "http://localhost:8000"
        return f"https://{host}"
    return "http://localhost:8000" if debug else ""


def platform_name(env: Env) -> str:
    """Which platform runs us, from the variables it sets in every container, or "" (a laptop,
    plain Docker, a VM)."""
    if env.str("DYNO"):  # Heroku, and Dokku, which sets it the same way for its processes
        return "heroku"
    if env.str("RENDER"):
        return "render"
    if env.str("RAILWAY_ENVIRONMENT") or env.str("RAILWAY_PUBLIC_DOMAIN"):
        return "railway"
    if env.str("COOLIFY_FQDN") or env.str("COOLIFY_URL") or env.str("COOLIFY_CONTAINER_NAME"):
        return "coolify"
    return ""


def default_proxy_count(env: Env) -> int:
    """TRUSTED_PROXY_COUNT when it is not set: every platform puts one proxy in front of the
    web process (Heroku's router, Dokku's nginx, Coolify's Traefik, Render's and Railway's
    edge), each appending the address it saw to X-Forwarded-For; without a platform, none."""
    return 1 if platform_name(env) else 0


def default_drain_seconds(env: Env) -> int:
    """GUNICORN_DRAIN_SECONDS when it is not set: 5 s on a platform, under each one's grace
    between SIGTERM and SIGKILL (Heroku 30 s, Docker/Coolify 10 s by default, Render 30 s),
    long enough for its router to stop sending new requests; 2 s on Railway, whose default
    grace is 3 s; 0 on a laptop, where Ctrl-C should stop at once."""
    name = platform_name(env)
    if not name:
        return 0
    return 2 if name == "railway" else 5
