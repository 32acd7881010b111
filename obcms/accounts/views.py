"""The account page, password change and reset (Django's views), the invitation link, and the
staff pages (administrators only: the ``accounts.manage_staff`` permission)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from obcms.accounts import staff
from obcms.accounts.forms import InvitationForm, ResetRequestForm, RoleForm
from obcms.accounts.models import SIGN_INS_KEPT, Invitation, token_hash
from obcms.accounts.roles import role_of
from obcms.accounts.throttling import reset_allowed

User = get_user_model()
PAGE_SIZE = 100
# The invitation being accepted, by its token's hash: the raw token leaves the URL at once
# (as Django's reset view does) and is never stored, not even in the session.
INVITATION_SESSION_KEY = "_invitation_token_hash"

manage_staff = permission_required("accounts.manage_staff", raise_exception=True)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account.html",
        {
            "role": role_of(request.user),
            "sign_ins": request.user.sign_ins.all()[:SIGN_INS_KEPT],
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: the new password's hash also signs out every other session."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Password changed. Your other sessions are signed out.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's view and messages. Known and unknown addresses take the same path (a row and
    a queued task, obcms/accounts/forms.py), so neither the page nor its timing tells them
    apart."""

    form_class = ResetRequestForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:
        if not reset_allowed(self.request, form.cleaned_data["email"]):
            minutes = settings.LOCKOUT_WINDOW // 60
            form.add_error(
                None,
                f"Too many reset requests for this address or from your network. Wait "
                f"{minutes} minutes, or ask an administrator.",
            )
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# The invitation link ---------------------------------------------------------------------


@never_cache
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email: remember the invitation, then leave the token's URL."""
    digest = token_hash(token)
    if not Invitation.objects.open().filter(token_hash=digest).exists():
        return render(request, "accounts/welcome.html", {"invitation": None})
    request.session[INVITATION_SESSION_KEY] = digest
    return redirect("accounts:welcome_set_password")


@never_cache
@sensitive_post_parameters()
def welcome_set_password(request: HttpRequest) -> HttpResponse:
    digest = request.session.get(INVITATION_SESSION_KEY) or "-"
    invitation = Invitation.objects.open().filter(token_hash=digest).select_related("user").first()
    if invitation is None:
        return render(request, "accounts/welcome.html", {"invitation": None})
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Under the row's lock, so two tabs posting at once accept it only once.
            if not Invitation.objects.open().select_for_update().filter(pk=invitation.pk):
                return render(request, "accounts/welcome.html", {"invitation": None})
            user = form.save(commit=False)
            user.is_active = True
            # Only these two: an administrator may have changed the role meanwhile.
            user.save(update_fields=["password", "is_active"])
            Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
        del request.session[INVITATION_SESSION_KEY]
        messages.success(
            request,
            f"Your password is set. Sign in with your username, {invitation.user.username}.",
        )
        return redirect("login")
    return render(request, "accounts/welcome.html", {"invitation": invitation, "form": form})


# Staff pages -----------------------------------------------------------------------------


@login_required
@manage_staff
def staff_list(request: HttpRequest) -> HttpResponse:
    """One query for the page of accounts, whatever their number (roles and invitations are
    columns of it, obcms/accounts/staff.py)."""
    page = Paginator(staff.staff_with_roles(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (
            person,
            person.role or ("administrator" if person.is_superuser else ""),
            staff.status_of(person, person.invited_until, person.invitation_sent),
        )
        for person in page
    ]
    return render(request, "accounts/staff_list.html", {"page": page, "rows": rows})


@login_required
@manage_staff
def staff_invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person, role = form.save(commit=False), form.cleaned_data["role"]
        invitation = staff.invite(person, role, by=request.user)
        messages.success(
            request,
            f"Invitation queued for {invitation.user.email}: the link to choose a password "
            f"works once, for 72 hours.",
        )
        return redirect("accounts:staff")
    return render(request, "accounts/staff_invite.html", {"form": form})


ACTIONS = {
    "role": "Role changed.",
    "deactivate": "Account deactivated: its sessions end at their next request.",
    "reactivate": "Account reactivated.",
    "invite": "A new invitation is queued; earlier links no longer work.",
    "withdraw": "Invitation withdrawn: its link no longer works.",
}


@login_required
@manage_staff
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: its role and status, changed by the buttons here (POST ``action``)."""
    person = get_object_or_404(staff.staff_with_roles(), pk=pk)
    form = RoleForm(initial={"role": person.role or role_of(person)})
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponseBadRequest(
                "Unknown action: use role, deactivate, reactivate, invite or withdraw.",
                content_type="text/plain",
            )
        if action == "role":
            form = RoleForm(request.POST)
        try:
            if action == "role" and form.is_valid():
                staff.set_role(person, form.cleaned_data["role"])
            elif action == "deactivate":
                staff.deactivate(person)
            elif action == "reactivate":
                staff.reactivate(person)
            elif action == "invite":
                staff.send_new_invitation(person, by=request.user)
            elif action == "withdraw":
                staff.withdraw_invitations(person)
        except ValidationError as refused:
            errors = refused.messages
        if not errors and (action != "role" or form.is_valid()):
            messages.success(request, ACTIONS[action])
            return redirect("accounts:staff_detail", pk=person.pk)
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "person": person,
            "status": staff.status_of(person, person.invited_until, person.invitation_sent),
            "form": form,
            "errors": errors,
            "invitations": person.invitations.select_related("invited_by")[:10],
        },
    )
