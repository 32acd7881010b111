from django.contrib import admin

from obcms.communities.history import record_changes, snapshot
from obcms.communities.models import (
    Community,
    CommunityChange,
    Contact,
    EthnolinguisticGroup,
    Language,
    Livelihood,
)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class ChangeInline(admin.TabularInline):
    model = CommunityChange
    extra = 0
    readonly_fields = ("changed_at", "changed_by", "changes")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "barangay", "municipality", "population", "households", "verification")
    list_filter = ("verification", "municipality__region", "ethnolinguistic_groups")
    list_select_related = ("barangay", "municipality")
    search_fields = ("name", "barangay__name", "municipality__name")
    autocomplete_fields = ("municipality", "barangay")
    filter_horizontal = ("ethnolinguistic_groups", "livelihoods", "languages")
    readonly_fields = ("missing_fields", "created_by", "created_at", "updated_at")
    inlines = [ContactInline, ChangeInline]

    def save_related(self, request, form, formsets, change) -> None:
        # Compare after the many-to-many fields are saved, so they show in the history.
        before = snapshot(Community.objects.get(pk=form.instance.pk)) if change else {}
        super().save_related(request, form, formsets, change)
        if change:
            record_changes(form.instance, before, request.user)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


for model in (EthnolinguisticGroup, Livelihood, Language):
    admin.site.register(model, search_fields=("name",))
