"""The API under load, on PostgreSQL, against the page it mirrors.

    .venv/bin/python -m bench.api [--communities 10000] [--redis redis://127.0.0.1:6379/9]

1. GET /api/v1/communities/ (100 a page, a viewer's token) against the community list page
   (50 a page, the same viewer signed in), same data: p50/p99 under wrk at 1 and 4
   connections, against the Procfile's web line (2 workers x 4 threads, pinned to core 1).
2. A full read of every community through the cursor, following 'next' as a client would:
   seconds, at 100 a page and at 1,000 a page.

Throttles are raised out of the way (the figures are the API's, not the limit's); with
--redis they are still counted in Redis, as in production.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.load import wrk
from tests.support.processes import (
    Browserless,
    Process,
    base_env,
    free_port,
    http_get,
    manage,
    procfile,
)

ISSUE_SCRIPT = """
from django.contrib.auth import get_user_model
from obcms.api.models import ApiToken
print("token:", ApiToken.issue(get_user_model().objects.get(username="viewer"), "bench")[1])
"""


def full_read(base: str, headers: dict[str, str], page_size: int) -> tuple[int, float, int]:
    """Rows read, seconds and requests for every community, page after page."""
    url = f"{base}/api/v1/communities/?page_size={page_size}"
    rows = requests = 0
    started = time.monotonic()
    while url:
        # The links are absolute, on the https the proxy header announces: ask our port.
        url = re.sub(r"^https://[^/]+", base, url)
        status, _, body = http_get(url, host="localhost", headers=headers, timeout=60)
        assert status == 200, (status, body[:300])
        page = json.loads(body)
        rows += len(page["results"])
        requests += 1
        url = page["next"]
    return rows, time.monotonic() - started, requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="", help="count throttles in this Redis database")
    args = parser.parse_args()

    name = f"obcms_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(args.database, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    env = base_env(
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=urlunsplit(urlsplit(args.database)._replace(path=f"/{name}")),
        DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
        GUNICORN_MAX_REQUESTS="0",
        LOG_LEVEL="warning",
        API_THROTTLE_RATE="100000000/min",
        API_ADDRESS_THROTTLE_RATE="100000000/min",
    )
    if args.redis:
        env["REDIS_URL"] = args.redis
    try:
        assert manage("release", env=env).returncode == 0
        seeded = manage(
            "seed_demo", "--force", "--communities", str(args.communities), env=env, timeout=1800
        )
        assert seeded.returncode == 0, seeded.stderr
        password = re.search(r"user 'viewer' \(viewer\), password (\S+)", seeded.stdout).group(1)
        issued = manage("shell", "-c", ISSUE_SCRIPT, env=env)
        token = re.search(r"token: (\S+)", issued.stdout).group(1)

        port = free_port()
        web = Process(
            f"taskset -c 1 {procfile()['web']}", {**env, "PORT": str(port)}, name="bench-web"
        )
        try:
            base = f"http://127.0.0.1:{port}"
            web.wait_for_http(f"{base}/health/", timeout=60)
            client = Browserless(base)
            client.sign_in("viewer", password)
            page_headers = {"X-Forwarded-Proto": "https", "Cookie": client.session_cookie}
            api_headers = {"X-Forwarded-Proto": "https", "Authorization": f"Bearer {token}"}
            api_url, page_url = f"{base}/api/v1/communities/", f"{base}/communities/"
            for url, headers in ((api_url, api_headers), (page_url, page_headers)):
                status, _, _ = http_get(url, host="localhost", headers=headers)
                assert status == 200, (url, status)
            figures = {("API", n): wrk(api_url, args.duration, n, api_headers) for n in (1, 4)} | {
                ("page", n): wrk(page_url, args.duration, n, page_headers) for n in (1, 4)
            }
            reads = {size: full_read(base, api_headers, size) for size in (100, 1000)}
        finally:
            web.stop()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    cache = f"Redis ({args.redis})" if args.redis else "local memory (pass --redis for Redis)"
    print(
        "PostgreSQL on loopback; web: Procfile line, 2 workers x 4 threads, core 1; wrk on "
        f"core 0; throttle counts in {cache}"
    )
    labels = {
        "API": "GET /api/v1/communities/, 100 a page, bearer token",
        "page": "GET /communities/ (list page), 50 a page, session",
    }
    for (kind, n), f in figures.items():
        print(
            f"{labels[kind]}, {args.communities} communities, {n} connection(s): "
            f"p50 {f['p50']:.1f} ms, p99 {f['p99']:.1f} ms, {f['rps']:.0f} req/s, "
            f"non-2xx {f['non2xx']}"
        )
    for size, (rows, seconds, requests) in reads.items():
        print(
            f"full read through the cursor, {size} a page: {rows} communities in "
            f"{seconds:.1f} s ({requests} requests, {rows / seconds:.0f} rows/s)"
        )


if __name__ == "__main__":
    main()
