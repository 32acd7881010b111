from django.contrib import admin

from obcms.coordination.models import Engagement, Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "kind", "contact_person")
    list_filter = ("kind",)
    search_fields = ("name", "acronym")


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ("title", "partner", "community", "engaged_on", "follow_up_on", "status")
    list_filter = ("status", "partner__kind")
    list_select_related = ("partner", "community")
    search_fields = ("title", "partner__name", "community__name")
    autocomplete_fields = ("partner", "community")
