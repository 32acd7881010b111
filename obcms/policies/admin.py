from django.contrib import admin

from obcms.policies.models import Milestone, Policy, StatusChange
from obcms.records.admin import ArchivableAdmin
from obcms.records.formsets import CappedInline


class MilestoneInline(CappedInline, admin.TabularInline):
    model = Milestone
    max_num = 100  # one policy's milestones
    extra = 0


class StatusChangeInline(CappedInline, admin.TabularInline):
    model = StatusChange
    max_num = 1000  # the status history the pages write, change by change
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
