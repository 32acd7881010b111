from django.contrib import admin

from obcms.assessments.forms import NEEDS_AT_MOST
from obcms.assessments.models import Assessment, Need
from obcms.records.admin import ArchivableAdmin
from obcms.records.formsets import CappedInline
from obcms.security.autocomplete import AutocompleteAdminMixin


class NeedInline(CappedInline, admin.TabularInline):
    model = Need
    max_num = NEEDS_AT_MOST
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(ArchivableAdmin):
    list_display = ("community", "assessed_on", "method", "status", "created_by")
    # By region too: the registry's list filters so, and bench/scale.py compares the two.
    list_filter = ("status", "method", "community__region")
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


@admin.register(Need)
class NeedAdmin(AutocompleteAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "assessment", "sector", "status", "urgency", "priority", "rank")
    list_filter = ("status", "sector", "urgency", "priority", "assessment__community__region")
    list_select_related = ("assessment__community",)
    search_fields = ("description", "assessment__community__name")
    raw_id_fields = ("assessment",)
    autocomplete_fields = ("forwarded_to",)
    readonly_fields = ("validated_by", "validated_at")
