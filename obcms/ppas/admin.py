from django.contrib import admin

from obcms.ppas.models import PPA, ProgressUpdate
from obcms.records.admin import ArchivableAdmin
from obcms.records.formsets import CappedInline


class ProgressUpdateInline(CappedInline, admin.TabularInline):
    model = ProgressUpdate
    max_num = 1000  # a timeline the pages add to, entry by entry, over the years
    extra = 0
    readonly_fields = ("created_by",)


@admin.register(PPA)
class PPAAdmin(ArchivableAdmin):
    list_display = ("title", "kind", "sector", "region", "fiscal_year", "status")
    list_filter = ("kind", "status", "sector", "fiscal_year")
    list_select_related = ("region",)
    search_fields = ("title", "requester", "funding_source")
    autocomplete_fields = ("communities", "requesting_community", "implementing_partner")
    raw_id_fields = ("needs",)
    readonly_fields = ("created_by",)
    inlines = [ProgressUpdateInline]
