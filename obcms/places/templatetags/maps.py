"""``{% map_assets %}`` (Leaflet's files, for a page's head) and ``{% map_tiles %}`` (the tile
URL and attribution as data attributes): one place for what every map needs."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

STYLES = (
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet.markercluster/MarkerCluster.css",
    "vendor/leaflet.markercluster/MarkerCluster.Default.css",
)
SCRIPTS = (
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "obcms/map.js",
)


@register.simple_tag
def map_assets() -> SafeString:
    styles = "".join(format_html('<link rel="stylesheet" href="{}">', static(s)) for s in STYLES)
    scripts = "".join(format_html('<script src="{}" defer></script>', static(s)) for s in SCRIPTS)
    return SafeString(styles + scripts)


@register.simple_tag
def map_tiles() -> SafeString:
    return format_html(
        'data-tiles="{}" data-attribution="{}"',
        settings.MAP_TILES_URL,
        settings.MAP_TILES_ATTRIBUTION,
    )
