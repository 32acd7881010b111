"""/accounts/tokens/: staff create, list and revoke their own API tokens. A new token's secret
is shown once, on the answer to the form that created it, and never stored."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from obcms.api.models import ApiToken

LIFETIMES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]
# Permissions that make a role able to write anything the API offers (roles.py: encoder).
WRITE_PERMISSIONS = (
    "communities.change_community",
    "assessments.change_assessment",
    "coordination.change_partner",
)


def can_write(user: object) -> bool:
    return any(user.has_perm(permission) for permission in WRITE_PERMISSIONS)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What it is for, so you know which to revoke later."
    )
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    lifetime = forms.ChoiceField(choices=LIFETIMES, initial="90", required=False, label="Expires")

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if not can_write(user):
            # A viewer's token could not write anyway (the API checks the role on every request).
            self.fields["scope"].choices = [(ApiToken.Scope.READ, ApiToken.Scope.READ.label)]
            self.fields["scope"].help_text = "Your role reads only, so your tokens do too."
        else:
            self.fields[
                "scope"
            ].help_text = "Read and write can still only do what your role allows in the pages."

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def expires_at(self) -> timezone.datetime | None:
        days = self.cleaned_data["lifetime"]
        return timezone.now() + timedelta(days=int(days)) if days else None


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None, user=request.user)
    secret = None
    if request.method == "POST" and form.is_valid():
        _, secret = ApiToken.issue(
            request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
        )
        form = TokenForm(user=request.user)
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "secret": secret, "now": timezone.now()},
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, owner=request.user)
    token.revoke()
    messages.success(request, f"Revoked {token}. Programs using it are refused from now on.")
    return redirect("tokens:list")


app_name = "tokens"
urlpatterns = [
    path("", token_list, name="list"),
    path("<int:pk>/revoke/", token_revoke, name="revoke"),
]
