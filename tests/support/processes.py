"""Start real processes the way a platform does, and always stop them.

Each process runs a command line through ``bash -c`` (as Heroku and Dokku run Procfile lines),
in its own process group, with exactly the environment a test gives it plus PATH. Output goes
to a file, so a chatty process can never block on a full pipe.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")
VENV_BIN = Path(sys.executable).parent


def procfile() -> dict[str, str]:
    """Process type -> command, read as Heroku reads it (one ``type: command`` per line)."""
    entries = {}
    for line in (REPO / "Procfile").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


def base_env(**variables: str) -> dict[str, str]:
    """A clean environment: PATH with this virtualenv first, HOME, LANG and ``variables``.
    Nothing leaks in from the test runner's own environment."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(variables)
    return env


def free_port() -> int:
    """A port nothing listens on, below the kernel's ephemeral range. A port the kernel picks
    (bind to 0) comes from that range, which it also hands to every outgoing connection: a
    test that picks its port, then spends 25 s on release and seed_demo before gunicorn binds
    it, once found it taken by some client socket (CI: "Can't connect to ('0.0.0.0', 57199)")."""
    low = _ephemeral_start()
    while True:
        candidate = random.randrange(10_000, low)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def run(
    command: str, env: Mapping[str, str], timeout: float = 120, *, cwd: Path = REPO
) -> subprocess.CompletedProcess:
    """Run ``command`` to completion through bash, in ``cwd`` (the repository unless a test
    built a copy of it), capturing its output."""
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def manage(*args: str, env: Mapping[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return run(shlex.join(["python", "manage.py", *args]), env, timeout)


def settings_values(expressions: str, **variables: str) -> list:
    """Evaluate ``expressions`` (over ``s``, the settings) in a fresh process."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([{expressions}]))"
    )
    result = run(
        shlex.join(["python", "-c", script]),
        base_env(DJANGO_SETTINGS_MODULE="obcms.settings", **variables),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def wait_until(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.2) -> T:
    """Poll ``predicate`` until it returns something true, and return that; fail after
    ``timeout`` seconds naming ``what`` was awaited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Process:
    """A long-running process: started on construction, stopped by :meth:`stop`."""

    def __init__(
        self, command: str, env: Mapping[str, str], *, name: str = "process", cwd: Path = REPO
    ) -> None:
        self.command = command
        self.name = name
        self.log = tempfile.NamedTemporaryFile(prefix=f"obcms-{name}-", suffix=".log", delete=False)
        self.popen = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            env=dict(env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_for_http(self, url: str, timeout: float = 30, host: str | None = None) -> float:
        """Poll ``url`` until it answers below 500; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not self.alive():
                raise AssertionError(
                    f"{self.name} exited with {self.popen.returncode}:\n{self.output}"
                )
            try:
                status, _, _ = http_get(url, host=host, timeout=2)
                if status < 500:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"{self.name} did not answer {url} in {timeout}s:\n{self.output}")

    def wait_for_output(self, text: str, timeout: float = 30) -> None:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if text in self.output:
                return
            if not self.alive():
                break
            time.sleep(0.1)
        raise AssertionError(f"{self.name} never printed {text!r}:\n{self.output}")

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace: float = 10) -> int:
        """SIGTERM the whole group, SIGKILL after ``grace`` seconds; return the exit code."""
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self.wait(grace) is None:
                os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(5)
        try:  # children that outlived the leader
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()
        return self.popen.returncode


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


# Tests look at redirects themselves (where to, which cookies), so none is followed.
NO_REDIRECTS = urllib.request.build_opener(_NoRedirect)


def http_get(
    url: str,
    *,
    host: str | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, str], bytes]:
    """One request; redirects are not followed. Returns status, headers and body."""
    request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
    if host:
        request.add_header("Host", host)
    try:
        with NO_REDIRECTS.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Browserless:
    """A signed-in HTTP client for a real web process (cookies kept by hand, so Secure
    cookies work over the loopback's plain http with X-Forwarded-Proto: https)."""

    def __init__(self, base: str, host: str = "localhost") -> None:
        self.base, self.host = base, host
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None):
        import urllib.parse

        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{self.host}{path}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            f"{self.base}{path}", data=data, method=method, headers=headers
        )
        request.add_header("Host", self.host)
        try:
            response = NO_REDIRECTS.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read()

    def csrf_form(self, path: str) -> str:
        import re

        _, _, body = self.request("GET", path)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()

    def sign_in(self, username: str, password: str, path: str = "/accounts/login/") -> None:
        token = self.csrf_form(path)
        status, _, _ = self.request(
            "POST",
            path,
            {"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        assert status == 302 and self.session_cookie, "sign-in failed"

    @property
    def session_cookie(self) -> str:
        """``name=value`` of the session cookie (``__Host-sessionid`` in production)."""
        for name, value in self.cookies.items():
            if name.endswith("sessionid"):
                return f"{name}={value}"
        return ""
