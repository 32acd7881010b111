from django.contrib import admin

from obcms.meetings.models import ActionItem, Meeting
from obcms.records.admin import ArchivableAdmin
from obcms.security.autocomplete import AutocompleteAdminMixin


class ActionItemInline(AutocompleteAdminMixin, admin.TabularInline):
    model = ActionItem
    extra = 0
    autocomplete_fields = ("assignee",)


@admin.register(Meeting)
class MeetingAdmin(ArchivableAdmin):
    list_display = ("title", "kind", "starts_at", "venue")
    list_filter = ("kind",)
    search_fields = ("title", "venue")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("partners", "communities")
    inlines = [ActionItemInline]
