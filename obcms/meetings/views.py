"""Meetings: the list, a meeting's page with its action items, the edit form (action items
inline), ticking an action item done, archive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from obcms.meetings.filters import MeetingFilter
from obcms.meetings.forms import ActionItemFormSet, MeetingForm
from obcms.meetings.models import ActionItem, Meeting
from obcms.records.archive import archive_views, refuse_archived
from obcms.records.history import entries_of
from obcms.records.listing import is_id, page_of


@login_required
@permission_required("meetings.view_meeting", raise_exception=True)
def meeting_list(request: HttpRequest) -> HttpResponse:
    filters = MeetingFilter(request.GET, queryset=Meeting.objects.all())
    page = page_of(request, filters.qs.prefetch_related("communities"))
    filtered = any(key != "sort" for key in filters.as_query())
    return render(
        request,
        "meetings/meeting_list.html",
        {"filters": filters, "page": page, "filtered": filtered},
    )


@login_required
@permission_required("meetings.view_meeting", raise_exception=True)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        Meeting.objects.select_related("created_by", "archived_by").prefetch_related(
            "partners", "communities"
        ),
        pk=pk,
    )
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "action_items": meeting.action_items.select_related("assignee"),
            "history": entries_of(meeting),
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required("meetings.add_meeting", raise_exception=True)
def meeting_create(request: HttpRequest) -> HttpResponse:
    meeting = Meeting(created_by=request.user)
    community = request.GET.get("community")
    partner = request.GET.get("partner")
    initial = {
        "communities": [community] if is_id(community or "") else [],
        "partners": [partner] if is_id(partner or "") else [],
    }
    return _edit(request, meeting, initial)


@login_required
@permission_required("meetings.change_meeting", raise_exception=True)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    return refuse_archived(request, meeting) or _edit(request, meeting)


def _edit(request: HttpRequest, meeting: Meeting, initial: dict | None = None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, instance=meeting, initial=initial)
    actions = ActionItemFormSet(data, instance=meeting, prefix="actions")
    if data is not None and form.is_valid() and actions.is_valid():
        with transaction.atomic():
            meeting = form.save()
            actions.instance = meeting
            actions.save()
        messages.success(request, f"Saved {meeting}.")
        return redirect(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "actions": actions, "meeting": meeting},
    )


@require_POST
@login_required
@permission_required("meetings.change_meeting", raise_exception=True)
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick an action item done (or not done again) from the meeting's page."""
    item = get_object_or_404(ActionItem.objects.select_related("meeting"), pk=pk)
    refused = refuse_archived(request, item.meeting)
    if refused:
        return refused
    item.done = request.POST.get("done") == "1"
    item.save()
    messages.success(request, f"{item.what}: {'done' if item.done else 'not done'}.")
    return redirect(item.meeting)


meeting_archive, meeting_restore = archive_views(Meeting)
