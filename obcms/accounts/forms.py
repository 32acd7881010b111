"""Forms of the staff pages. The user model's own field rules apply (lengths, email format);
what is added says what to do when a value cannot be used."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest

from obcms.accounts import mail
from obcms.accounts.models import PasswordResetRequest
from obcms.accounts.signins import printable
from obcms.accounts.staff import ROLE_CHOICES
from obcms.records.modelforms import ModelForm
from obcms.security.signin import client_address

User = get_user_model()
USERNAME_MAX = User._meta.get_field("username").max_length


class InvitationForm(ModelForm):
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        initial="viewer",
        help_text="Viewers read and export; encoders also add and edit; administrators do "
        "everything, this page included.",
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]
        labels = {"first_name": "Given name", "last_name": "Surname"}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["email"].required = True
        self.fields[
            "email"
        ].help_text = "The link to choose a password goes here; it is also the username."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if len(email) > USERNAME_MAX:
            raise forms.ValidationError(
                f"Use an address of at most {USERNAME_MAX} characters: it becomes the username."
            )
        taken = User.objects.filter(email__iexact=email) | User.objects.filter(
            username__iexact=email
        )
        if taken.exists():
            raise forms.ValidationError(
                "An account with this address exists already: find it in the staff list to "
                "change its role, reactivate it or invite it again."
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class ResetRequestForm(PasswordResetForm):
    """Django's form, saved the same way for every address: one row, one queued task. The
    worker looks the address up and makes the token (obcms/accounts/tasks.py)."""

    def save(self, request: HttpRequest | None = None, **kwargs: object) -> None:
        from obcms.accounts.tasks import send_password_reset

        reset = PasswordResetRequest.objects.create(
            email=self.cleaned_data["email"], address=printable(client_address(request), 64)
        )
        mail.queue(send_password_reset, reset.pk)
