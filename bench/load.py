"""Load from wrk (Debian's package) on loopback, pinned to core 0 so the server keeps core 1."""

from __future__ import annotations

import re
import shutil
import subprocess


def wrk(
    url: str, seconds: int, connections: int, headers: dict[str, str] | None = None
) -> dict[str, float]:
    """Requests per second, p50 and p99 in milliseconds, and the count of non-2xx/3xx."""
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed: apt-get install wrk (Debian's package)")
    command = ["taskset", "-c", "0", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in {"Host": "localhost", **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        figures[f"p{pct}"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["non2xx"] = int(errors.group(1)) if errors else 0
    return figures
