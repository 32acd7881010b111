"""The registry's pages: list with search and filters, the profile page with its contacts and
history, create and edit, archive and restore."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import CharField, Count, F, Q, Value
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.views.decorators.http import require_POST

from obcms.communities.filters import CommunityFilter
from obcms.communities.forms import SECTIONS, CommunityForm, ContactForm
from obcms.communities.models import Community, Contact
from obcms.geography.models import Barangay
from obcms.records.archive import archive_views, refuse_archived
from obcms.records.figures import figure
from obcms.records.history import entries_of
from obcms.records.listing import ARCHIVED_BADGE, ARCHIVED_ROW, escaped, html_rows, page_of

LIST_COLUMNS = (
    "pk",
    "name",
    "barangay__name",
    "municipality__name",
    "province__name",
    "region__short_name",
    "population",
    "verification",
    "archived_at",
    # Linked to their place profiles (/places/<psgc>/).
    "municipality__psgc_code",
    "province__psgc_code",
    "region__psgc_code",
)


@login_required
@permission_required("communities.view_community", raise_exception=True)
def community_list(request: HttpRequest) -> HttpResponse:
    """The busiest page: plain rows (``values_list``) instead of five model instances per
    community, and the groups of the whole page in one query."""
    filters = CommunityFilter(request.GET, queryset=Community.objects.all())
    page = page_of(request, filters.qs.values_list(*LIST_COLUMNS), count_from=filters.qs)
    groups: dict[int, list[str]] = {}
    links = (
        Community.ethnolinguistic_groups.through.objects.filter(
            community_id__in=[row[0] for row in page.object_list]
        )
        .values_list("community_id", "ethnolinguisticgroup__name")
        .order_by("ethnolinguisticgroup__name")
    )
    for community_id, name in links:
        groups.setdefault(community_id, []).append(name)
    verification = dict(Community.Verification.choices)
    rows = [
        (
            *row[:7],
            ", ".join(groups.get(row[0], ())),
            verification[row[7]],
            row[8] is not None,
            *row[9:],
        )
        for row in page.object_list
    ]
    query = filters.as_query()
    shown = {k: v for k, v in query.items() if k != "sort"}
    return render(
        request,
        "communities/list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "rows_html": community_rows_html(rows),
            "query": query,
            "filtered": bool(shown),
            # The map takes the same filters (obcms/places/filters.py).
            "map_link": f"{reverse('places:map')}?{urlencode(shown)}",
        },
    )


COMMUNITY_ROW = (
    '<tr{}><td><a href="{}{}/">{}</a>{}</td><td>{}</td><td><a href="{}{}/">{}</a></td>'
    '<td>{}</td><td><a href="{}{}/">{}</a></td><td class="num">{}</td><td>{}</td><td>{}</td></tr>'
)


def community_rows_html(rows: list[tuple]) -> SafeString:
    """The list's rows: name, barangay, municipality, province and region linked to their
    pages, population, groups, status."""
    detail, places = reverse("communities:list"), reverse("places:index")
    return html_rows(
        COMMUNITY_ROW,
        (
            (
                ARCHIVED_ROW if archived else "",
                detail,
                pk,
                name,
                ARCHIVED_BADGE if archived else "",
                barangay,
                places,
                town_code,
                municipality,
                format_html('<a href="{}{}/">{}</a>', places, province_code, province)
                if province_code
                else "—",
                places,
                region_code,
                region,
                "—" if population is None else population,
                groups,
                verification,
            )
            for (
                pk,
                name,
                barangay,
                municipality,
                province,
                region,
                population,
                groups,
                verification,
                archived,
                town_code,
                province_code,
                region_code,
            ) in rows
        ),
    )


# Each many-to-many list of the profile and its through table's column for the term.
TERM_FIELDS = {
    name: Community._meta.get_field(name).m2m_reverse_field_name()
    for name in ("ethnolinguistic_groups", "livelihoods", "languages")
}


def terms_of(community: Community) -> dict[str, list[str]]:
    """The names of the community's groups, livelihoods and languages, each list in its
    terms' order (by name): one query for the three lists, not a prefetch each."""
    names: dict[str, list[str]] = {name: [] for name in TERM_FIELDS}
    lists = [
        getattr(Community, name)
        .through.objects.filter(community_id=community.pk)
        .annotate(kind=Value(name, output_field=CharField()), term=F(f"{target}__name"))
        .values_list("kind", "term")
        for name, target in TERM_FIELDS.items()
    ]
    for name, term in lists[0].union(*lists[1:], all=True).order_by("term"):
        names[name].append(term)
    return names


def profile_of(
    community: Community, terms: dict[str, list[str]] | None = None
) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """The profile as the page shows it: per section, (label, value, is long text); what
    nobody has recorded reads "unknown". ``terms`` (terms_of) saves the lists' queries."""
    sections = []
    for title, names in SECTIONS:
        facts = []
        for name in names:
            field = Community._meta.get_field(name)
            label = str(field.verbose_name)
            if field.many_to_many and terms is not None:
                value = ", ".join(terms[name]) or "—"
            elif field.many_to_many:
                value = ", ".join(str(term) for term in getattr(community, name).all()) or "—"
            elif field.choices:
                value = getattr(community, f"get_{name}_display")() or "unknown"
            else:
                value = getattr(community, name)
                if isinstance(value, int):
                    value = intcomma(value)
                # A count or a coordinate nobody gave is unknown; a text nobody wrote is empty.
                empty = (
                    "—" if field.get_internal_type() in ("CharField", "TextField") else "unknown"
                )
                value = empty if value in (None, "") else str(value)
            long_text = field.get_internal_type() == "TextField"
            facts.append((label[:1].upper() + label[1:], value, long_text))
        sections.append((title, facts))
    return sections


FACT = "<dt>{}</dt><dd{}>{}</dd>"
MUTED = mark_safe(' class="muted"')
ASSESSMENT_ROW = '<tr><td><a href="{}{}/">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>'
ENGAGEMENT_ROW = (
    '<tr><td>{}</td><td><a href="{}">{}</a></td><td><a href="{}">{}</a></td><td>{}</td>'
    "<td>{}</td></tr>"
)
NEED_ROW = (
    '<tr><td>{}</td><td><a href="{}{}/">{}</a></td><td>{}</td><td data-need="{}">{}</td></tr>'
)
PPA_ROW = '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>'
MEETING_ROW = '<tr><td>{}</td><td>{}</td><td><a href="{}">{}</a></td><td>{}</td></tr>'


@dataclass(frozen=True)
class Place:
    barangay: str
    barangay_code: str
    latitude: Decimal | None  # the barangay's, where the community has none of its own
    longitude: Decimal | None
    municipality: str
    municipality_code: str
    province: str | None
    province_code: str | None
    region: str  # empty only before the model has set it
    region_code: str


@dataclass(frozen=True)
class Parts:
    """What the profile page shows of a community that reads the same for every reader: its
    place, its profile's facts, its contacts and the rows of its tables (HTML, empty when it
    has none). Kept with the figures (obcms/records/figures.py): forgotten when any record of
    the registry, a meeting included, changes."""

    place: Place
    facts: SafeString
    contacts: list[tuple[int, str, str, str, str]]  # pk, name, role, phone, email
    assessments: SafeString
    engagements: SafeString
    needs: SafeString
    ppas: SafeString
    meetings: SafeString


def facts_html(sections: list[tuple[str, list[tuple[str, str, bool]]]]) -> SafeString:
    """The profile's sections (profile_of) as the page shows them, one card each."""
    return mark_safe(  # noqa: S308 (every value escaped)
        "".join(
            '<section class="card"><h2>{}</h2>\n<dl class="facts">{}</dl>\n</section>'.format(
                escaped(title),
                html_rows(
                    FACT,
                    (
                        (
                            label,
                            MUTED if value in ("unknown", "—") else "",
                            linebreaksbr(value, autoescape=True) if long_text else value,
                        )
                        for label, value, long_text in facts
                    ),
                ),
            )
            for title, facts in sections
        )
    )


def _day(value: date | None) -> str:
    return date_format(value, "j M Y") if value else ""


def with_places(pk: int) -> Community:
    """The community ``pk`` with its barangay, municipality, province and region (404 if none)."""
    return get_object_or_404(
        Community.objects.select_related("barangay", "municipality", "province", "region"), pk=pk
    )


def parts_of(community: Community) -> Parts:
    """The Parts of ``community`` (read by with_places) in a fixed number of plain-row queries
    (no model instance per row, no template per row): its contacts, groups, livelihoods and
    languages (one, terms_of), assessments, needs (once, for their table and for each
    assessment's sectors), engagements, PPAs and meetings."""
    # The municipality's name shows with its province's (Municipality.__str__): the community's
    # own province is that one (the model keeps it so), already joined.
    if community.municipality.province_id == community.province_id:
        community.municipality.province = community.province
    province, region = community.province, community.region
    place = Place(
        barangay=community.barangay.name,
        barangay_code=community.barangay.psgc_code,
        latitude=community.barangay.latitude,
        longitude=community.barangay.longitude,
        municipality=community.municipality.name,
        municipality_code=community.municipality.psgc_code,
        province=province.name if province else None,
        province_code=province.psgc_code if province else None,
        region=region.short_name if region else "",
        region_code=region.psgc_code if region else "",
    )
    roles = dict(Contact._meta.get_field("role").flatchoices)
    contacts = [
        (pk, name, str(roles.get(role, role)), phone, email)
        for pk, name, role, phone, email in community.contacts.values_list(
            "pk", "name", "role", "phone", "email"
        )
    ]
    # By name, not import: the needs and PPA apps build on this one.
    Need = apps.get_model("assessments", "Need")
    Assessment = apps.get_model("assessments", "Assessment")
    needs = list(
        Need.objects.filter(assessment__community=community, assessment__archived_at__isnull=True)
        .order_by("status", "rank", "priority", "pk")
        .values_list(
            "pk", "assessment_id", "sector", "description", "urgency", "status", "priority"
        )
    )
    sectors, urgencies, statuses = (
        dict(Need._meta.get_field(name).flatchoices) for name in ("sector", "urgency", "status")
    )
    of_assessment: dict[int, list[tuple]] = {}
    # Each assessment's needs in the Need model's order (priority, then sector).
    for need in sorted(needs, key=lambda n: (n[6], n[2])):
        of_assessment.setdefault(need[1], []).append(sectors.get(need[2], need[2]))
    methods = dict(Assessment._meta.get_field("method").flatchoices)
    assessment_statuses = dict(Assessment._meta.get_field("status").flatchoices)
    assessments_url, needs_url = reverse("assessments:list"), reverse("needs:list")
    assessments = html_rows(
        ASSESSMENT_ROW,
        (
            (
                assessments_url,
                pk,
                _day(assessed_on),
                methods.get(method, method),
                ", ".join(map(str, of_assessment.get(pk, ()))),
                assessment_statuses.get(status, status),
            )
            for pk, assessed_on, method, status in community.assessments.filter(
                archived_at__isnull=True
            ).values_list("pk", "assessed_on", "method", "status")
        ),
    )
    needs_html = html_rows(
        NEED_ROW,
        (
            (
                sectors.get(sector, sector),
                needs_url,
                pk,
                Truncator(description).chars(80),
                urgencies.get(urgency, urgency),
                pk,
                statuses.get(status, status),
            )
            for pk, _, sector, description, urgency, status, _ in needs
        ),
    )
    engagement_model = community.engagements.model
    engagement_statuses = dict(engagement_model._meta.get_field("status").flatchoices)
    engagements = html_rows(
        ENGAGEMENT_ROW,
        (
            (
                _day(engaged_on),
                reverse("coordination:partner", args=[partner_id]),
                f"{partner} ({acronym})" if acronym else partner,
                reverse("coordination:engagement", args=[pk]),
                title,
                _day(follow_up_on) or "—",
                engagement_statuses.get(status, status),
            )
            for pk, engaged_on, partner_id, partner, acronym, title, follow_up_on, status in (
                community.engagements.filter(archived_at__isnull=True).values_list(
                    "pk",
                    "engaged_on",
                    "partner_id",
                    "partner__name",
                    "partner__acronym",
                    "title",
                    "follow_up_on",
                    "status",
                )
            )
        ),
    )
    ppa_model = community.ppas.model
    kinds, ppa_statuses = (
        dict(ppa_model._meta.get_field(name).flatchoices) for name in ("kind", "status")
    )
    ppas = html_rows(
        PPA_ROW,
        (
            (
                reverse("ppas:detail", args=[pk]),
                title,
                kinds.get(kind, kind),
                fiscal_year,
                ppa_statuses.get(status, status),
            )
            for pk, title, kind, fiscal_year, status in community.ppas.filter(
                archived_at__isnull=True
            )
            .order_by("-fiscal_year", "pk")
            .values_list("pk", "title", "kind", "fiscal_year", "status")
        ),
    )
    meeting_kinds = dict(community.meetings.model._meta.get_field("kind").flatchoices)
    meetings = html_rows(
        MEETING_ROW,
        (
            (
                date_format(template_localtime(starts_at), "j M Y, H:i"),
                meeting_kinds.get(kind, kind),
                reverse("meetings:meeting", args=[pk]),
                title,
                open_actions,
            )
            for pk, starts_at, kind, title, open_actions in community.meetings.filter(
                archived_at__isnull=True
            )
            .annotate(open_actions=Count("action_items", filter=Q(action_items__done=False)))
            .values_list("pk", "starts_at", "kind", "title", "open_actions")
        ),
    )
    return Parts(
        place=place,
        facts=facts_html(profile_of(community, terms_of(community))),
        contacts=contacts,
        assessments=assessments,
        engagements=engagements,
        needs=needs_html,
        ppas=ppas,
        meetings=meetings,
    )


@login_required
@permission_required("communities.view_community", raise_exception=True)
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A fixed number of queries whatever the community holds. The parts every reader sees
    alike (parts_of) are remembered with the figures: a view between two changes reads them
    in one round trip to the cache, then the community alone (no join: its places come with
    its parts); the first view after a change reads the community with its places once, for
    both. Its history and attachments are read each time."""
    read: list[Community] = []

    def compute() -> Parts:
        read.append(with_places(pk))
        return parts_of(read[0])

    parts = figure(f"community-profile:{pk}", compute)
    community = read[0] if read else get_object_or_404(Community, pk=pk)
    return render(
        request,
        "communities/detail.html",
        {"community": community, "parts": parts, "history": entries_of(community)},
    )


@login_required
@permission_required("communities.add_community", raise_exception=True)
def community_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, Community(created_by=request.user))


@login_required
@permission_required("communities.change_community", raise_exception=True)
def community_edit(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_object_or_404(Community, pk=pk)
    return refuse_archived(request, community) or _edit(request, community)


def _edit(request: HttpRequest, community: Community) -> HttpResponse:
    form = CommunityForm(request.POST or None, instance=community)
    if request.method == "POST" and form.is_valid():
        community = form.save()  # auditlog records the change, with the user as actor
        messages.success(request, f"Saved {community.name}.")
        return redirect(community)
    return render(request, "communities/form.html", {"form": form, "community": community})


community_archive, community_restore = archive_views(Community)


@login_required
@permission_required("communities.add_contact", raise_exception=True)
def contact_create(request: HttpRequest, community_pk: int) -> HttpResponse:
    community = get_object_or_404(Community, pk=community_pk)
    return refuse_archived(request, community) or _edit_contact(
        request, Contact(community=community)
    )


@login_required
@permission_required("communities.change_contact", raise_exception=True)
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.select_related("community"), pk=pk)
    return refuse_archived(request, contact.community) or _edit_contact(request, contact)


def _edit_contact(request: HttpRequest, contact: Contact) -> HttpResponse:
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved contact {contact.name}.")
        return redirect(contact.community)
    return render(
        request,
        "communities/contact_form.html",
        {"form": form, "contact": contact, "community": contact.community},
    )


@require_POST
@login_required
@permission_required("communities.delete_contact", raise_exception=True)
def contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact.objects.select_related("community"), pk=pk)
    refused = refuse_archived(request, contact.community)
    if refused:
        return refused
    contact.delete()  # the removal stays in the community's history
    messages.success(request, f"Removed contact {contact.name}.")
    return redirect(contact.community)


@login_required
def barangays_json(request: HttpRequest) -> JsonResponse:
    """Barangays of one municipality, for the form's dependent select."""
    municipality = request.GET.get("municipality", "")
    # isdigit() alone accepts "²", which int() refuses: ids are ASCII digits, within a bigint.
    if not (municipality.isascii() and municipality.isdigit()) or len(municipality) > 18:
        return JsonResponse({"barangays": []})
    rows = Barangay.objects.filter(municipality_id=int(municipality)).values_list("id", "name")
    return JsonResponse({"barangays": [{"id": pk, "name": name} for pk, name in rows]})
