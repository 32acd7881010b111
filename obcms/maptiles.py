"""The map's tile server: the URL template read from MAP_TILES_URL, checked when settings load,
and the one origin the Content-Security-Policy lets images come from."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

OPENSTREETMAP = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
# OpenStreetMap's tile usage policy requires this credit on the map.
OPENSTREETMAP_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
# Leaflet fills these; {r} is "@2x" on high-density screens for servers that offer it.
PLACEHOLDERS = {"{z}", "{x}", "{y}", "{r}"}


def tile_url_error(value: str) -> str | None:
    """Why ``value`` is not a usable tile URL template, or None when it is."""
    example = "expected an https URL template like " + OPENSTREETMAP
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return f"{example}, got a malformed URL"
    if parts.scheme != "https":
        return f"{example} (https only: the pages are served over https), got {parts.scheme}://"
    if not parts.hostname or "{" in parts.netloc:
        return (
            f"{example}, with one fixed host (no {{s}} sub-domains: the Content-Security-"
            "Policy allows exactly that host)"
        )
    used = set(re.findall(r"\{[^}]*\}", parts.path + parts.query))
    if not {"{z}", "{x}", "{y}"} <= used or used - PLACEHOLDERS:
        return (
            f"{example}, with {{z}}, {{x}} and {{y}} (and optionally {{r}}) and no other "
            "placeholders"
        )
    return None


@lru_cache(maxsize=4)
def tile_origin(value: str) -> str:
    """``https://host[:port]``: what the CSP's img-src allows for ``value``."""
    parts = urlsplit(value)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"
