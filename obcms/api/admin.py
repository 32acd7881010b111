from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from obcms.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every token, for administrators to see who uses the API and to revoke. Tokens are created
    by their owners on /accounts/tokens/ (the secret is shown to them only)."""

    list_display = (
        "name",
        "prefix",
        "owner",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("owner",)
    search_fields = ("name", "prefix", "owner__username")
    readonly_fields = (
        "name",
        "owner",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token.revoke()
        self.message_user(request, f"Revoked {queryset.count()} token(s).")
