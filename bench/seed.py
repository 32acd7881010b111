"""seed_demo at national scale (issue 19): its time per phase on a new PostgreSQL database.

    .venv/bin/python -m bench.seed [--communities 100000] [--runs 1]

Each run: a new database, ``release``, then ``seed_demo --force --communities N`` timed from
the outside; the phases' times are the command's own ``  phase <name>: <s>s`` lines. The
anchor (issue 19): under 3 minutes for 100,000 communities. The database is dropped after.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tests.support.processes import base_env, manage

ANCHOR_SECONDS = 180


def run(database: str, communities: int) -> tuple[float, dict[str, float], str]:
    """One seed_demo on a new database: its time, its phases' times, its summary lines."""
    name = f"obcms_bench_seed_{secrets.token_hex(4)}"
    admin = psycopg.connect(database, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    env = base_env(
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=urlunsplit(urlsplit(database)._replace(path=f"/{name}")),
        DATA_DIR=tempfile.mkdtemp(prefix="obcms-bench-"),
        LOG_LEVEL="warning",
    )
    try:
        released = manage("release", env=env, timeout=600)
        assert released.returncode == 0, released.stderr[-4000:]
        started = time.monotonic()
        seeded = manage(
            "seed_demo", "--force", "--communities", str(communities), env=env, timeout=3600
        )
        seconds = time.monotonic() - started
        assert seeded.returncode == 0, seeded.stdout[-2000:] + seeded.stderr[-4000:]
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    phases = {
        phase: float(value)
        for phase, value in re.findall(r"^  phase (\w+): ([\d.]+)s$", seeded.stdout, re.M)
    }
    counts = "\n".join(
        line
        for line in seeded.stdout.splitlines()
        if re.match(r"  (assessments|engagements|chain|policies|meetings): ", line)
    )
    return seconds, phases, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--communities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1, help="each on a new database")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    results = [run(args.database, args.communities) for _ in range(args.runs)]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"seed_demo --communities {args.communities:,} on a new PostgreSQL database (loopback); "
        f"{args.runs} run(s); load average at the end {load} (2 cores, shared)"
    )
    print(results[-1][2])
    names = list(results[0][1])
    width = max(len(name) for name in [*names, "total (wall, from outside)"])
    runs = "".join(f"{f'run {i + 1}':>10}" for i in range(args.runs))
    print(f"{'phase':{width}}{runs}  anchor")
    for name in names:
        cells = "".join(f"{r[1].get(name, float('nan')):>9.1f}s" for r in results)
        print(f"{name:{width}}{cells}")
    cells = "".join(f"{r[0]:>9.1f}s" for r in results)
    print(f"{'total (wall, from outside)':{width}}{cells}  < {ANCHOR_SECONDS} s")


if __name__ == "__main__":
    main()
