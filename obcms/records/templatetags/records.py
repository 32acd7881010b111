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


@register.inclusion_tag("includes/attachments.html", takes_context=True)
def attachments_panel(context: template.Context, record) -> dict:
    """The record's documents and photos, with upload and removal for those allowed."""
    from obcms.records import attachments

    user = context["request"].user
    label = record._meta.label_lower
    listed = list(attachments.of(record))
    return {
        "record": record,
        "label": label,
        "attachments": [(a, attachments.may_remove(user, a)) for a in listed],
        "can_add": user.has_perm(attachments.ATTACHABLE.get(label, "-"))
        and user.has_perm("records.add_attachment")
        and not getattr(record, "is_archived", False),
        "max_mb": attachments.max_bytes() // (1024 * 1024),
        "csrf_token": context.get("csrf_token"),
    }
