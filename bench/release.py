"""Wall time of the release step.

    .venv/bin/python -m bench.release [--runs 5] [--database postgres://...]

1. `python manage.py release` with nothing to migrate, beside `manage.py migrate` of a bare
   `django-admin startproject` on the same PostgreSQL server (aim: within 1.5x).
2. Four releases started at once on a fresh database (the rolling-deploy case).
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.support.processes import Process, base_env, procfile


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    admin = psycopg.connect(args.database, autocommit=True)
    names = [f"obcms_bench_{secrets.token_hex(4)}" for _ in range(3)]
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    obcms_db, bare_db, fresh_db = (
        urlunsplit(urlsplit(args.database)._replace(path=f"/{name}")) for name in names
    )
    workdir = Path(tempfile.mkdtemp(prefix="obcms-bench-"))
    repo = Path(__file__).resolve().parent.parent
    try:
        subprocess.run(
            [Path(sys.executable).parent / "django-admin", "startproject", "bare", str(workdir)],
            check=True,
        )
        settings = workdir / "bare" / "settings.py"
        database = urlsplit(bare_db)
        settings.write_text(
            settings.read_text()
            + (
                "\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', "
                f"'NAME': {database.path[1:]!r}, 'USER': {database.username!r}, "
                f"'HOST': {database.hostname!r}, 'PORT': {database.port or 5432}}}}}\n"
            )
        )
        env = base_env(
            SECRET_KEY="bench-" + "x" * 50,
            ALLOWED_HOSTS="localhost",
            DATABASE_URL=obcms_db,
            DATA_DIR=str(workdir / "var"),
        )
        release = [sys.executable, "manage.py", "release"]
        migrate = [sys.executable, "manage.py", "migrate"]
        timed(release, repo, env)  # first run applies everything
        timed(migrate, workdir, base_env())
        release_times = [timed(release, repo, env) for _ in range(args.runs)]
        migrate_times = [timed(migrate, workdir, base_env()) for _ in range(args.runs)]

        started = time.monotonic()
        fresh_env = {**env, "DATABASE_URL": fresh_db}
        processes = [Process(procfile()["release"], fresh_env, name="r") for _ in range(4)]
        codes = [process.wait(300) for process in processes]
        concurrent = time.monotonic() - started
        for process in processes:
            process.stop()
        assert codes == [0, 0, 0, 0], [process.output for process in processes]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)

    release_median = statistics.median(release_times)
    migrate_median = statistics.median(migrate_times)
    print(f"median of {args.runs} runs, nothing to migrate, PostgreSQL on loopback")
    print(f"  obcms `manage.py release`       {release_median * 1000:7.0f} ms")
    print(f"  bare  `manage.py migrate`       {migrate_median * 1000:7.0f} ms")
    print(
        f"  ratio                           {release_median / migrate_median:7.2f}x "
        "(aim: within 1.5x)"
    )
    print(f"four concurrent releases, fresh database: {concurrent * 1000:.0f} ms wall")


if __name__ == "__main__":
    main()
