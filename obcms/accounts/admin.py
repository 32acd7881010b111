"""The accounts' records, read-only in the admin: invitations and resets are made on the staff
pages and by the worker (which alone knows the tokens); sign-ins by the sign-in itself."""

from django.contrib import admin

from obcms.accounts.models import Invitation, PasswordResetRequest, SignIn


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "user",
        "invited_by",
        "created_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "withdrawn_at",
    )
    list_select_related = ("user", "invited_by")
    search_fields = ("user__username", "user__email")
    date_hierarchy = "created_at"
    exclude = ("token_hash",)


@admin.register(PasswordResetRequest)
class PasswordResetRequestAdmin(ReadOnlyAdmin):
    list_display = ("email", "requested_at", "address", "sent_at", "accounts_mailed")
    search_fields = ("email", "address")
    date_hierarchy = "requested_at"


@admin.register(SignIn)
class SignInAdmin(ReadOnlyAdmin):
    list_display = ("user", "at", "address", "user_agent")
    list_select_related = ("user",)
    search_fields = ("user__username", "address")
    date_hierarchy = "at"
