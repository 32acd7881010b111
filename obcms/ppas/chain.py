"""The chain from need to PPA: a need's status follows the PPAs that address it.

- linked to a PPA that is not declined or cancelled: planned;
- one of them started (ongoing, in progress): in progress;
- one of them completed: completed;
- none left (unlinked, declined, cancelled, reopened): back to prioritized when it has a rank,
  else validated.

Every change of a PPA's status, of its needs or of its progress calls ``follow``; undoing is
explicit (unlink, reopen, move back), and the needs follow that too."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from obcms.assessments.models import Need
from obcms.ppas.models import PPA

LINKABLE = (*Need.ACTIONABLE, *Need.FOLLOWS_PPAS)


def status_from(ppa_statuses: Iterable[str]) -> str | None:
    """The status a need takes from its PPAs' statuses; None when no PPA carries it."""
    live = [s for s in ppa_statuses if s not in PPA.CLOSED]
    if PPA.Status.COMPLETED in live:
        return Need.Status.COMPLETED
    if any(s in PPA.STARTED for s in live):
        return Need.Status.IN_PROGRESS
    return Need.Status.PLANNED if live else None


def sync(needs: Iterable[Need]) -> None:
    """Bring each need in step with its PPAs (saved only when it changes, so its history
    shows the step). Deferred, rejected and unvalidated needs are left alone."""
    for need in needs:
        if need.status not in LINKABLE:
            continue
        statuses = PPA.objects.filter(needs=need, archived_at__isnull=True).values_list(
            "status", flat=True
        )
        target = status_from(statuses)
        if target is None:
            if need.status not in Need.FOLLOWS_PPAS:
                continue
            target = Need.Status.PRIORITIZED if need.rank else Need.Status.VALIDATED
        if need.status != target:
            need.status = target
            need.save(update_fields=["status"])


def follow(ppa: PPA) -> None:
    sync(ppa.needs.all())


def link(ppa: PPA, need: Need) -> None:
    """``need`` is addressed by ``ppa``: it must be validated first, and not archived."""
    if need.status not in LINKABLE:
        raise ValidationError(
            f"Only a validated need can be addressed; this one is {need.get_status_display()}."
        )
    if not Need.objects.filter(pk=need.pk).active().exists():
        raise ValidationError("This need's assessment or community is archived.")
    ppa.needs.add(need)
    ppa.communities.add(need.assessment.community_id)
    sync([need])


def unlink(ppa: PPA, need: Need) -> None:
    """The explicit undo of ``link``: the need goes back to what its other PPAs say."""
    ppa.needs.remove(need)
    sync([need])


def move(ppa: PPA, user, status: str) -> None:
    """One step of the PPA's status machine, by ``user``; its needs follow."""
    ppa.check_move(user, status)
    ppa.status = status
    ppa.save(update_fields=["status"])
    follow(ppa)


def record_progress(ppa: PPA, update) -> None:
    """After a progress update: any progress starts a planned or approved PPA, 100 % completes
    it (the needs follow). A start needs the same rights as an encoder's move."""
    before = ppa.status
    if update.percent > 0 and ppa.status in (PPA.Status.PLANNED, PPA.Status.APPROVED):
        ppa.status = ppa.started_status
    if update.percent == 100 and ppa.status in PPA.STARTED:
        ppa.status = PPA.Status.COMPLETED
    if ppa.status != before:
        ppa.save(update_fields=["status"])
        follow(ppa)
