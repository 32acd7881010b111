"""Typed reading of the environment, and the errors people see when it is wrong.

Settings import must never fail: the build runs ``collectstatic`` with no runtime variables at
all. So a reader never raises. A malformed value is recorded as a problem and the default is used
in its place; a value that production needs but lacks is recorded as missing. The processes that
serve (web, worker, beat, release) call :func:`stop_on_problems`, which prints every problem at
once, one line each, and exits non-zero before anything is served. Every variable read here is
declared in ``app.json``; ``tests/test_app_json.py`` keeps the two in sync.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

N = TypeVar("N", int, float)

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


@dataclass
class Env:
    """Reads variables from ``environ`` (the process environment by default)."""

    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    problems: list[str] = field(default_factory=list)
    """Malformed values: fatal for every process, the build included."""
    missing: list[str] = field(default_factory=list)
    """Absent values production needs: fatal only for processes that serve."""
    names: set[str] = field(default_factory=set)
    """Every variable asked for, so tests can hold app.json to it."""

    def __repr__(self) -> str:
        # Never the values: settings are shown on Django's debug page and by diffsettings.
        return f"<Env: {len(self.names)} names read, {len(self.problems)} problems>"

    def raw(self, name: str) -> str | None:
        """The value as given, or None when unset or blank (a blank value means "unset")."""
        self.names.add(name)
        value = self.environ.get(name)
        if value is None or not value.strip():
            return None
        return value.strip()

    def str(self, name: str, default: str = "") -> str:
        value = self.raw(name)
        return default if value is None else value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        self.problem(name, f"expected true or false (also 1/0, yes/no, on/off), got {value!r}")
        return default

    def int(
        self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        return self._number(name, default, int, "a whole number", minimum, maximum)

    def float(
        self,
        name: str,
        default: float,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float:
        return self._number(name, default, float, "a number", minimum, maximum)

    def _number(
        self,
        name: str,
        default: N,
        parse: Callable[[str], N],
        noun: str,
        minimum: N | None,
        maximum: N | None,
    ) -> N:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = parse(value)
        except ValueError:
            self.problem(name, f"expected {noun}, got {value!r}")
            return default
        if isinstance(number, float) and not math.isfinite(number):
            # "nan" and "inf" parse, and nan passes every bound: no setting here means them.
            self.problem(name, f"expected {noun} {_bounds(minimum, maximum)}, got {value!r}")
            return default
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            self.problem(name, f"expected {noun} {_bounds(minimum, maximum)}, got {number}")
            return default
        return number

    def list(self, name: str, default: Sequence[str] = ()) -> list[str]:
        """A comma-separated list; blanks between commas are dropped."""
        value = self.raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: Sequence[str]) -> str:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() not in choices:
            self.problem(name, f"expected one of {', '.join(choices)}, got {value!r}")
            return default
        return value.lower()

    def url(self, name: str, default: str = "", *, schemes: Sequence[str]) -> str:
        """A URL with one of ``schemes`` and a host. The value is never echoed: it may hold a
        password."""
        value = self.raw(name)
        if value is None:
            return default
        error = url_error(value, schemes)
        if error:
            self.problem(name, error)
            return default
        return value

    def database(self, name: str, default: str, *, conn_max_age: int) -> dict:
        """Django's DATABASES entry from a ``postgres://`` or ``sqlite:///`` URL."""
        import dj_database_url

        url = self.url(name, default, schemes=("postgres", "postgresql", "sqlite"))
        try:
            return dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
        except (ValueError, KeyError):
            self.problem(name, "expected a URL like postgres://user:password@host:5432/name")
            return dj_database_url.parse(default, conn_max_age=conn_max_age)

    def email(self, name: str) -> EmailConfig:
        """Outgoing mail from one URL: ``smtp://`` (plain), ``smtp+tls://`` (STARTTLS, port
        587), ``smtp+ssl://`` (TLS, port 465) or ``console://`` (print to the log)."""
        url = self.url(name, "", schemes=("smtp", "smtp+tls", "smtp+ssl", "console"))
        if not url or url.startswith("console:"):
            return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
        parts = urlsplit(url)
        if not parts.hostname:
            self.problem(name, "expected a URL like smtp+tls://user:password@smtp.example.org:587")
            return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
        tls, ssl = parts.scheme == "smtp+tls", parts.scheme == "smtp+ssl"
        return EmailConfig(
            backend="django.core.mail.backends.smtp.EmailBackend",
            host=parts.hostname,
            port=parts.port or (465 if ssl else 587 if tls else 25),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            use_tls=tls,
            use_ssl=ssl,
        )

    def secret(self, name: str, *, required: bool, hint: str) -> str:
        """A secret with no default: ``name``'s value or, when it is unset, the content of the
        file ``<name>_FILE`` names (Docker and Coolify mount secrets as files), stripped.

        A required secret that is absent, and a file that cannot be read, are recorded as
        missing: fatal for the processes that serve, not for the build, which may see the
        variable while the file is only mounted at run time."""
        value = self.raw(name)
        if value is None:
            value = self._secret_file(f"{name}_FILE", name)
        if value is None:
            if required:
                self.missing.append(f"{name} is not set: {hint}")
            return ""
        return value

    def _secret_file(self, name: str, instead: str) -> str | None:
        """The stripped content of the file ``name`` names; None when ``name`` is unset, ""
        (with the reason recorded) when the file cannot be read or is empty."""
        path = self.raw(name)
        if path is None:
            return None
        try:
            value = Path(path).read_text().strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            self.missing.append(
                f"{name}: cannot read {path} ({reason}); mount the secret at that path, or set "
                f"{instead} instead"
            )
            return ""
        if not value:
            self.missing.append(f"{name}: {path} is empty; put the secret in it")
        return value

    def require(self, name: str, hint: str) -> None:
        """Record ``name`` as missing (the caller knows production needs it)."""
        self.names.add(name)
        self.missing.append(f"{name} is not set: {hint}")

    def make_folder(self, name: str, path: Path) -> None:
        """Create ``path`` (a folder under the variable ``name``) with its parents; when it
        cannot be created, a problem naming the variable instead of a traceback later."""
        if any(line.startswith(f"{name}: cannot create") for line in self.problems):
            return  # one line for the variable, not one per folder under it
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            self.problem(
                name,
                f"cannot create the folder {path} ({reason}); set {name} to a "
                "folder this process may write",
            )

    def problem(self, name: str, message: str) -> None:
        line = f"{name}: {message}"
        if line not in self.problems:  # a variable read in two places is one problem
            self.problems.append(line)


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = "localhost"
    port: int = 25
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def url_error(value: str, schemes: Sequence[str]) -> str | None:
    """Why ``value`` is not a usable URL with one of ``schemes``, or None when it is."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return f"expected a URL like {schemes[0]}://host:port/..., got a malformed one"
    expected = ", ".join(f"{scheme}://" for scheme in schemes)
    if not parts.scheme:
        return f"expected a URL starting with {expected}, got a value with no scheme"
    if parts.scheme not in schemes:
        return f"expected a URL starting with {expected}, got one starting with {parts.scheme}://"
    database = parts.path.strip("/")
    if (
        parts.scheme in ("redis", "rediss")
        and database
        and not (database.isascii() and database.isdigit())
    ):
        # redis-py would fail on it at the first connection, deep in a request or a task.
        return "expected a database number after the host, like redis://host:6379/0"
    return None


def _bounds(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"from {minimum} to {maximum}"
    if minimum is not None:
        return f"of at least {minimum}"
    return f"of at most {maximum}"


def stop_on_problems(*, serving: bool, first: Sequence[str] = ()) -> None:
    """Exit with one line per problem when the environment is unusable.

    ``serving`` is true for the processes that need production secrets (web, worker, beat,
    release); management commands such as ``collectstatic`` only stop on malformed values.
    ``first``: problems found before the settings were read (gunicorn.conf.py's), listed ahead
    of the settings' own, so that one start names them all.
    """
    from django.conf import settings

    env: Env = settings.ENV
    lines = [*first, *env.problems, *(env.missing if serving else [])]
    if lines:
        exit_with(list(dict.fromkeys(lines)))


def exit_with(lines: list[str]) -> None:
    """Print one line per problem and a pointer to app.json, then exit 1 (no traceback)."""
    for line in lines:
        print(f"obcms: {line}", file=sys.stderr)
    print(
        "obcms: every variable is described in app.json; fix the above and start again.",
        file=sys.stderr,
    )
    sys.stderr.flush()
    raise SystemExit(1)
