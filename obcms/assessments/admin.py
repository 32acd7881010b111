from django.contrib import admin

from obcms.assessments.models import Assessment, Need
from obcms.records.admin import ArchivableAdmin


class NeedInline(admin.TabularInline):
    model = Need
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(ArchivableAdmin):
    list_display = ("community", "assessed_on", "method", "status", "created_by")
    list_filter = ("status", "method")
    list_select_related = ("community", "created_by")
    search_fields = ("community__name", "team")
    date_hierarchy = "assessed_on"
    autocomplete_fields = ("community",)
    readonly_fields = (
        "submitted_at",
        "validated_by",
        "validated_at",
        "returned_by",
        "returned_at",
        "created_by",
    )
    inlines = [NeedInline]
