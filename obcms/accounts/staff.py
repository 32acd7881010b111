"""What administrators do to staff accounts: invite, change a role, deactivate, reactivate.

The one rule that protects the system: there is always an active administrator. Every change
here takes the same lock (the administrator group's row) before it counts them, so two
administrators demoting each other at the same moment cannot both succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from obcms.accounts import mail
from obcms.accounts.models import INVITATION_VALID_FOR, Invitation
from obcms.accounts.roles import ADMINISTRATOR, ROLES

User = get_user_model()
ROLE_CHOICES = [(name, name.title()) for name in ROLES]


def staff_with_roles() -> QuerySet:
    """Every account with its role and open invitation in columns, in one query."""
    memberships = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=list(ROLES)
    )
    invitations = Invitation.objects.filter(
        user_id=OuterRef("pk"), accepted_at__isnull=True, withdrawn_at__isnull=True
    ).order_by("-created_at")
    return User.objects.annotate(
        role=Subquery(memberships.order_by("group__name").values("group__name")[:1]),
        invited_until=Subquery(invitations.values("expires_at")[:1]),
        invitation_sent=Subquery(invitations.values("sent_at")[:1]),
    ).order_by("-is_active", "last_name", "first_name", "username")


@dataclass(frozen=True)
class Status:
    label: str
    detail: str = ""


def status_of(user: AbstractUser, invited_until: datetime | None, sent: datetime | None) -> Status:
    """What the staff list says about an account, from the columns of ``staff_with_roles``."""
    if user.is_active:
        return Status("Active")
    if invited_until is not None and invited_until > timezone.now():
        if sent is None:
            return Status("Invited", "the email has not gone out yet")
        until = timezone.localtime(invited_until)
        return Status("Invited", f"link valid until {until:%d %b %H:%M}")
    if not user.has_usable_password():
        return Status("Invitation expired", "send a new one")
    return Status("Deactivated")


def _lock_roles() -> None:
    """Serialise every change to roles and status (PostgreSQL row lock; SQLite's IMMEDIATE
    transactions already queue writers)."""
    Group.objects.select_for_update().filter(name=ADMINISTRATOR).first()


def _is_administrator(user: AbstractUser) -> bool:
    return User.objects.filter(pk=user.pk).filter(_administrators()).exists()


def _administrators() -> Q:
    members = User.groups.through.objects.filter(group__name=ADMINISTRATOR).values("user_id")
    return Q(is_superuser=True) | Q(pk__in=members)


def _refuse_if_last_administrator(user: AbstractUser, action: str) -> None:
    if not (user.is_active and _is_administrator(user)):
        return
    others = User.objects.filter(_administrators(), is_active=True).exclude(pk=user.pk)
    if not others.exists():
        raise ValidationError(
            f"{user.get_username()} is the last active administrator, so you cannot {action} "
            f"them. Make someone else an administrator first.",
            code="last_administrator",
        )


@transaction.atomic
def set_role(user: AbstractUser, role: str) -> None:
    """Give ``user`` exactly one role. Administrators get staff status (the admin site);
    leaving the role also ends superuser status, or the demotion would change nothing."""
    if role not in ROLES:
        raise ValidationError(f"Choose one of {', '.join(ROLES)}.", code="invalid_role")
    _lock_roles()
    if role != ADMINISTRATOR:
        _refuse_if_last_administrator(user, "demote")
    groups = {group.name: group for group in Group.objects.filter(name__in=list(ROLES))}
    user.groups.remove(*(group for name, group in groups.items() if name != role))
    user.groups.add(groups[role])
    user.is_staff = role == ADMINISTRATOR
    user.is_superuser = user.is_superuser and role == ADMINISTRATOR
    user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def deactivate(user: AbstractUser) -> None:
    """Sign-in refused from now on, current sessions included (Django checks ``is_active`` on
    every request); an open invitation is withdrawn, or accepting it would reactivate."""
    _lock_roles()
    _refuse_if_last_administrator(user, "deactivate")
    user.is_active = False
    user.save(update_fields=["is_active"])
    withdraw_invitations(user)


@transaction.atomic
def reactivate(user: AbstractUser) -> None:
    if not user.has_usable_password():
        raise ValidationError(
            "This account has never had a password: send a new invitation instead.",
            code="never_signed_in",
        )
    _lock_roles()
    user.is_active = True
    user.save(update_fields=["is_active"])


@transaction.atomic
def invite(user: AbstractUser, role: str, *, by: AbstractUser) -> Invitation:
    """Create ``user`` (unsaved, from the invitation form) inactive and without a password,
    in ``role``, and queue the email with the link."""
    user.username = user.email.lower()
    user.is_active = False
    user.set_unusable_password()
    user.save()
    set_role(user, role)
    return send_new_invitation(user, by=by)


@transaction.atomic
def send_new_invitation(user: AbstractUser, *, by: AbstractUser) -> Invitation:
    """A fresh invitation; older ones are withdrawn first, so at most one link works."""
    if user.is_active or user.has_usable_password():
        raise ValidationError(
            "This account already has a password: reactivate it, or let its owner reset it.",
            code="has_password",
        )
    withdraw_invitations(user)
    invitation = Invitation.objects.create(
        user=user, invited_by=by, expires_at=timezone.now() + INVITATION_VALID_FOR
    )
    from obcms.accounts.tasks import send_invitation

    mail.queue(send_invitation, invitation.pk)
    return invitation


def withdraw_invitations(user: AbstractUser) -> int:
    return Invitation.objects.filter(
        user=user, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
