"""The account emails, sent by the worker. Each task receives a row's id and nothing else; it
makes the token itself, so the token exists only in the email.

Double delivery (a worker killed after sending, before acknowledging) is harmless:
- an invitation is mailed once (``sent_at``, checked under a row lock). If the worker dies
  between sending and committing, the mailed token's hash was never stored, so that link does
  not work and the next delivery mails a working one: never two valid links.
- a reset request is handled once (``sent_at``, same lock). If the worker dies mid-way the
  person may get a second email; both links are Django's tokens for the same account, and the
  first one used changes the password, which invalidates the other.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import timedelta

from celery import shared_task
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from obcms.accounts import mail
from obcms.accounts.models import (
    INVITATION_VALID_FOR,
    Invitation,
    PasswordResetRequest,
    token_hash,
)
from obcms.accounts.roles import role_of
from obcms.celery import ReliableTask

logger = logging.getLogger(__name__)
# A mail server that refuses for a moment is retried like a database that does.
RETRY_ON = (*ReliableTask.autoretry_for, smtplib.SMTPException)
RESET_REQUESTS_KEPT = timedelta(days=30)


@shared_task(autoretry_for=RETRY_ON)
def send_invitation(invitation_id: int) -> None:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("user", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at or not invitation.is_open:
            logger.info(
                "invitation %s: already sent, accepted or withdrawn; nothing to do",
                invitation_id,
                extra={"invitation_id": invitation_id},
            )
            return
        token = secrets.token_urlsafe(32)
        invitation.token_hash = token_hash(token)
        invitation.sent_at = timezone.now()
        invitation.expires_at = invitation.sent_at + INVITATION_VALID_FOR
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        inviter = invitation.invited_by
        mail.message(
            "invitation",
            invitation.user,
            {
                "link": mail.link(reverse("accounts:welcome", kwargs={"token": token})),
                "inviter": (inviter.get_full_name() or inviter.get_username())
                if inviter
                else "An administrator",
                "role": role_of(invitation.user) or "viewer",
                "expires_at": invitation.expires_at,
                "hours": int(INVITATION_VALID_FOR.total_seconds() // 3600),
            },
        ).send()
    logger.info("invitation %s mailed", invitation_id, extra={"invitation_id": invitation_id})


@shared_task(autoretry_for=RETRY_ON)
def send_password_reset(request_id: int) -> None:
    """Mail a reset link to every active account with the address asked for (none when it is
    unknown: the person who asked sees the same page either way)."""
    with transaction.atomic():
        reset = (
            PasswordResetRequest.objects.select_for_update()
            .filter(pk=request_id, sent_at__isnull=True)
            .first()
        )
        if reset is None:
            logger.info("reset request %s: already handled", request_id)
            return
        users = list(PasswordResetForm().get_users(reset.email))
        for user in users:
            path = reverse(
                "accounts:password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
            mail.message("password_reset", user, {"link": mail.link(path)}).send()
        reset.sent_at, reset.accounts_mailed = timezone.now(), len(users)
        reset.save(update_fields=["sent_at", "accounts_mailed"])
        PasswordResetRequest.objects.filter(
            requested_at__lt=timezone.now() - RESET_REQUESTS_KEPT
        ).delete()
    logger.info(
        "reset request %s handled: %s account(s) mailed",
        request_id,
        len(users),
        extra={"reset_request_id": request_id},
    )
