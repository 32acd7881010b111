"""Answer the probes before anything that could refuse them.

Platforms probe from inside the container or from their own network, over plain http, with a
Host of ``localhost``, a container IP or their own name. Django would answer 400 (unknown host)
or 301 (SSL redirect) to those. This middleware sits first and answers the two probe paths
itself; every other path goes on through host validation and the HTTPS redirect as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from obcms.health.views import health, ready
from obcms.platform import HEALTH_PATH, READY_PATH

PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {HEALTH_PATH: health, READY_PATH: ready}


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
