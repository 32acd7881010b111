from django.contrib import admin
from django.db import models

from obcms.coordination.models import Engagement, Partner
from obcms.records.admin import ArchivableAdmin


@admin.register(Partner)
class PartnerAdmin(ArchivableAdmin):
    list_display = ("name", "acronym", "kind", "contact_person", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "acronym")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as PartnerForm


@admin.register(Engagement)
class EngagementAdmin(ArchivableAdmin):
    list_display = ("title", "partner", "community", "engaged_on", "follow_up_on", "status")
    list_filter = ("status", "partner__kind")
    list_select_related = ("partner", "community")
    search_fields = ("title", "partner__name", "community__name")
    autocomplete_fields = ("partner", "community")
    readonly_fields = ("closed_at",)
