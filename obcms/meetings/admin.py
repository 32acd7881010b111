from django.contrib import admin

from obcms.meetings.forms import ACTIONS_AT_MOST
from obcms.meetings.models import ActionItem, Meeting
from obcms.records.admin import ArchivableAdmin
from obcms.records.formsets import CappedInline
from obcms.security.autocomplete import AutocompleteAdminMixin


class ActionItemInline(CappedInline, AutocompleteAdminMixin, admin.TabularInline):
    model = ActionItem
    max_num = ACTIONS_AT_MOST
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
