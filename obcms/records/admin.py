"""The admin side of archive: a filter, the archive fields read-only, and restore as an action.
Archiving itself asks for a reason, so it happens on the record's page; deleting for good stays
here, for administrators."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from obcms.records.archive import ARCHIVE_STATES, archive_permission
from obcms.records.modelforms import ModelMultipleChoiceField
from obcms.records.models import Attachment
from obcms.security.autocomplete import AutocompleteAdminMixin


class ArchivedFilter(admin.SimpleListFilter):
    title = "archive"
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("current", "Current"), *ARCHIVE_STATES[1:2]]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "current":
            return queryset.filter(archived_at__isnull=True)
        if self.value() == "archived":
            return queryset.filter(archived_at__isnull=False)
        return queryset


class ArchivableAdmin(AutocompleteAdminMixin, admin.ModelAdmin):
    """Base for the admin of an archivable model: every record (archived ones too), a filter
    by archive state, and a restore action for administrators."""

    archive_fields = ("archived_at", "archived_by", "archive_reason")
    actions = ["restore_selected"]
    # An id too large for the key column is "Select a valid choice", as on the pages.
    formfield_overrides = {models.ManyToManyField: {"form_class": ModelMultipleChoiceField}}

    def get_list_filter(self, request: HttpRequest) -> list:
        return [*super().get_list_filter(request), ArchivedFilter]

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list:
        return [*super().get_readonly_fields(request, obj), *self.archive_fields]

    @admin.action(description="Restore the selected archived records")
    def restore_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not request.user.has_perm(archive_permission(self.model)):
            messages.error(request, "Only administrators restore archived records.")
            return
        restored = 0
        for record in queryset.filter(archived_at__isnull=False):
            record.restore()  # one save each, so every restore is in the history
            restored += 1
        messages.success(request, f"Restored {restored} record(s).")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Documents and photos of every record; uploads happen on the records' pages, where the
    type and size are checked."""

    list_display = ("name", "content_type", "object_id", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    search_fields = ("name", "description")
    readonly_fields = (
        "content_type",
        "object_id",
        "file",
        "name",
        "content_type_name",
        "size",
        "uploaded_by",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
