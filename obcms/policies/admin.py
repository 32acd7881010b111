from django.contrib import admin

from obcms.policies.models import Milestone, Policy, StatusChange
from obcms.records.admin import ArchivableAdmin


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ("before", "after", "changed_by", "changed_at", "note")
    can_delete = False


@admin.register(Policy)
class PolicyAdmin(ArchivableAdmin):
    list_display = ("title", "category", "scope", "status", "created_at")
    list_filter = ("status", "category", "scope")
    search_fields = ("title", "agency_addressed")
    raw_id_fields = ("needs", "assessments", "communities")
    readonly_fields = ("created_by", "status")
    inlines = [MilestoneInline, StatusChangeInline]
