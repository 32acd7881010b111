"""Logs: one event per line on stdout, JSON in production, each web line with its request id.

- ``configure`` is Django's LOGGING_CONFIG (and Celery's, see obcms/celery.py): the LOGGING
  dict, plus Python warnings routed into it so they come out as log lines too.
- ``RequestIdMiddleware`` takes the proxy's X-Request-ID (Heroku's router sends one) or makes
  one, returns it in the response, and keeps it in a context variable; ``RequestIdFilter``
  stamps it on every record; obcms/celery.py carries it into the tasks a request enqueues.
- ``GunicornLogger`` writes gunicorn's access and error logs in the same format, and keeps
  probe hits out of the INFO log (a health check every 5 s is noise, not traffic).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from gunicorn.glogging import Logger

from obcms.platform import PROBE_PATHS

request_id: ContextVar[str] = ContextVar("request_id", default="-")

# Attributes every LogRecord has; anything else was passed through `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# An id from outside is accepted only if it looks like one: no log injection through headers.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
# Links that carry a secret in their path (password reset, invitation; obcms/accounts/urls.py;
# calendar feeds, obcms/agenda/urls.py) are logged with the secret replaced: log collectors
# keep lines for weeks.
SECRET_IN_PATH = re.compile(
    r"^(/accounts/(?:reset/[^/]+|welcome)/|/calendar/feed/)(?!set-password/|new/|revoke/)[^/]+"
)


def configure(config: dict) -> None:
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...extra}``; exceptions as one string field."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                event[key] = value
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, default=str)


class TextFormatter(logging.Formatter):
    """The laptop's readable lines, timed in UTC like the JSON ones (``time``): Django sets the
    process's TZ to TIME_ZONE, so logging's local time was Manila's, without a zone."""

    FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"
    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03d+00:00"

    def __init__(self, fmt: str | None = None, **kwargs: object) -> None:
        super().__init__(fmt or self.FORMAT, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"  # gunicorn's own lines, outside any request
        return super().format(record)


class RefusalFilter(logging.Filter):
    """A refusal is not an error: Django logs a 403 (PermissionDenied) as a warning with the
    exception's traceback attached. Responses below 500 are logged as their one line; server
    errors keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        current = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(current)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = current
        return response


class GunicornLogger(Logger):
    """gunicorn's logger with JSON records (LOG_FORMAT=json) and quiet probes."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        from obcms.env import Env

        env = Env()
        # Our formats, not gunicorn's: its text lines were timed in local time (+0800).
        json_mode = log_format(env, debug=env.bool("DEBUG")) == "json"
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter() if json_mode else TextFormatter())

    def access(self, resp: object, req: object, environ: dict, request_time: object) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict):
            return
        headers = dict((name.lower(), value) for name, value in resp.headers)
        status = int(str(resp.status).split()[0])
        fields = {
            "method": environ.get("REQUEST_METHOD"),
            "path": SECRET_IN_PATH.sub(r"\1[redacted]", environ.get("PATH_INFO") or ""),
            "status": status,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "bytes": getattr(resp, "sent", None),
            "request_id": headers.get("x-request-id", "-"),
            "remote": environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT", ""),
        }
        level = logging.DEBUG if fields["path"] in PROBE_PATHS and status < 400 else logging.INFO
        message = f"{fields['method']} {fields['path']} {status} {fields['duration_ms']}ms"
        if not any(isinstance(h.formatter, JsonFormatter) for h in self.access_log.handlers):
            # The request id is the text line's [bracket], as on Django's lines.
            message = " ".join(f"{k}={v}" for k, v in fields.items() if k != "request_id")
        try:
            self.access_log.log(level, message, extra=fields)
        except Exception:
            self.error(f"Failed to log the request to {fields['path']}")


def log_format(env: object, *, debug: bool) -> str:
    """json in production, text on a developer's machine, unless LOG_FORMAT says otherwise."""
    return env.choice("LOG_FORMAT", "text" if debug else "json", ("json", "text"))
