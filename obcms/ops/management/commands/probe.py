"""``python manage.py probe [health|ready]``: the platform's probe, from inside the container.

For health checks of the "command" kind (Docker HEALTHCHECK, Coolify without curl): it asks the
running web process over loopback, exactly as an HTTP probe would, and exits 0 when it answers
200, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Ask the local web process for /health/ or /ready/; exit 0 when it answers 200."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", nargs="?", choices=("health", "ready"), default="health")
        parser.add_argument(
            "--url",
            help="Base URL of the web process (default: http://127.0.0.1:$PORT, PORT 8000).",
        )
        parser.add_argument("--timeout", type=float, default=5.0, help="Seconds (default 5).")

    def handle(self, *args: object, **options: object) -> None:
        base = options["url"] or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
        url = f"{str(base).rstrip('/')}/{options['kind']}/"
        request = urllib.request.Request(url, headers={"Host": "localhost"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=options["timeout"]) as response:  # noqa: S310
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        except OSError as error:
            message = f"{url}: no answer ({error}); is the web process running?"
            raise CommandError(message) from error
        self.stdout.write(f"{url}: {status} {body.decode(errors='replace')}")
        if status != 200:
            try:
                reasons = json.loads(body).get("errors", {})
            except ValueError:
                reasons = {}
            details = "; ".join(f"{name}: {why}" for name, why in reasons.items())
            raise CommandError(f"{options['kind']} probe failed with {status}. {details}".strip())
