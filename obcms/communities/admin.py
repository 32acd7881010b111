from django.contrib import admin

from obcms.communities.forms import SECTIONS
from obcms.communities.models import (
    Community,
    Contact,
    EthnolinguisticGroup,
    Language,
    Livelihood,
)
from obcms.records.admin import ArchivableAdmin
from obcms.records.formsets import CappedInline


class ContactInline(CappedInline, admin.TabularInline):
    model = Contact
    max_num = 100  # a community's contact persons
    extra = 0


@admin.register(Community)
class CommunityAdmin(ArchivableAdmin):
    """Every change made here is in the record's history (django-auditlog, with the admin
    user as actor), the many-to-many fields and contacts included."""

    list_display = ("name", "barangay", "municipality", "population", "households", "verification")
    list_filter = ("verification", "municipality__region", "ethnolinguistic_groups")
    list_select_related = ("barangay", "municipality")
    search_fields = ("name", "other_names", "barangay__name", "municipality__name")
    autocomplete_fields = ("municipality", "barangay")
    filter_horizontal = ("ethnolinguistic_groups", "livelihoods", "languages")
    readonly_fields = ("missing_fields", "created_by", "created_at", "updated_at")
    fieldsets = [(title, {"fields": fields}) for title, fields in SECTIONS] + [
        ("Record", {"fields": ("missing_fields", "created_by", "created_at", "updated_at")}),
        ("Archive", {"fields": ArchivableAdmin.archive_fields}),
    ]
    inlines = [ContactInline]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


for model in (EthnolinguisticGroup, Livelihood, Language):
    admin.site.register(model, search_fields=("name",))
