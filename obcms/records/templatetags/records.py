"""A record's archive panel:
``{% archive_panel record "communities:archive" "communities:restore" %}``."""

from __future__ import annotations

from django import template
from django.urls import reverse

from obcms.records.archive import Archivable, archive_permission

register = template.Library()


@register.inclusion_tag("includes/archive.html", takes_context=True)
def archive_panel(
    context: template.Context, record: Archivable, archive_url: str, restore_url: str
) -> dict:
    """Whether ``record`` is archived (when, by whom, why) and, for administrators, the
    archive form or the restore button."""
    user = context["request"].user
    return {
        "record": record,
        "can_archive": user.has_perm(archive_permission(type(record))),
        "archive_url": reverse(archive_url, args=[record.pk]),
        "restore_url": reverse(restore_url, args=[record.pk]),
        "csrf_token": context.get("csrf_token"),
    }
