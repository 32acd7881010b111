"""History: who changed what, when, before and after, for every record, whether the change came
from a page, the admin or an import, shown on the record's page in words."""

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.urls import reverse

from obcms.communities.forms import CommunityForm
from obcms.communities.models import Community, Contact, EthnolinguisticGroup
from obcms.records.history import entries_of
from obcms.reports.models import Import
from obcms.reports.tasks import process_import
from tests.support import factories

pytestmark = pytest.mark.django_db


def changes_of(entry) -> dict[str, tuple[str, str]]:
    return {change.field: (change.before, change.after) for change in entry.changes}


def test_a_change_made_in_a_page_is_in_the_history_with_its_author_and_labels(client):
    c = factories.community(population=100, households=20)
    editor = factories.user("encoder")
    editor.first_name, editor.last_name = "Norhana", "Ali"
    editor.save()
    client.force_login(editor)
    maranao = EthnolinguisticGroup.objects.get(name="Maranao")
    data = factories.form_data(
        CommunityForm(instance=c),
        population=120,
        verification="verified",
        access_health_care="poor",
        ethnolinguistic_groups=[maranao.pk],
    )
    response = client.post(reverse("communities:edit", args=[c.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors

    entries = entries_of(c)
    changed = next(e for e in entries if e.action == "changed" and "Population" in changes_of(e))
    assert changed.who == "Norhana Ali"
    assert changes_of(changed) == {
        "Population": ("100", "120"),
        "Verification": ("Unverified", "Verified"),
        "Health care": ("—", "Poor"),
    }
    groups = next(e for e in entries if "Ethnolinguistic groups" in changes_of(e))
    assert changes_of(groups)["Ethnolinguistic groups"] == ("", "added: Maranao")
    assert LogEntry.objects.get_for_object(c).filter(actor=editor).count() == 2

    html = client.get(c.get_absolute_url()).content.decode()
    assert "Norhana Ali changed" in html
    assert (
        '<span class="changed">Verification</span>: <del>Unverified</del> → <ins>Verified</ins>'
        in (html)
    )


def test_a_change_made_in_the_admin_is_in_the_history_with_the_administrator(client):
    c = factories.community(population=300)
    Contact.objects.create(community=c, name="Hadji Omar")
    admin = factories.user("administrator")
    client.force_login(admin)
    url = reverse("admin:communities_community_change", args=[c.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = factories.form_data(page.context["adminform"].form, population=350, notes="Census")
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {
                f"{formset.prefix}-TOTAL_FORMS": len(formset.forms),
                f"{formset.prefix}-INITIAL_FORMS": formset.initial_form_count(),
            }
        )
        for form in formset.forms:
            data.update(factories.form_data(form))
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]

    (entry,) = LogEntry.objects.get_for_object(c).filter(action=LogEntry.Action.UPDATE)
    assert entry.actor == admin
    assert entry.changes == {"population": ["300", "350"], "notes": ["", "Census"]}


def test_communities_created_by_an_import_are_in_the_history_with_the_uploader(
    tmp_path, settings, client
):
    settings.MEDIA_ROOT = tmp_path
    barangay = factories.place()
    uploader = factories.user("encoder")
    out = io.StringIO()
    csv.writer(out).writerows(
        [["name", "barangay_psgc", "population"], ["Sitio Uno", barangay.psgc_code, "90"]]
    )
    job = Import.objects.create(user=uploader, file=ContentFile(out.getvalue(), name="x.csv"))
    process_import(job.pk)  # what the worker runs

    created = Community.objects.get(name="Sitio Uno")
    (entry,) = LogEntry.objects.get_for_object(created)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == uploader
    assert entry.cid == f"import #{job.pk}"
    client.force_login(factories.user("viewer"))
    html = client.get(created.get_absolute_url()).content.decode()
    assert f"created (import #{job.pk})" in html


def test_contacts_added_changed_and_removed_show_in_the_community_history(client):
    c = factories.community()
    client.force_login(factories.user("encoder"))
    client.post(
        reverse("communities:contact_create", args=[c.pk]),
        {"name": "Datu Ali", "role": "leader", "phone": "", "email": ""},
    )
    contact = Contact.objects.get(community=c)
    client.post(
        reverse("communities:contact_edit", args=[contact.pk]),
        {"name": "Datu Ali", "role": "official", "phone": "0917", "email": ""},
    )
    client.post(reverse("communities:contact_remove", args=[contact.pk]))

    entries = [e for e in entries_of(c) if e.what.startswith("Contact")]
    assert [e.action for e in entries] == ["deleted", "changed", "created"]
    assert changes_of(entries[1]) == {
        "Role": ("Community leader", "Barangay official"),
        "Phone": ("—", "0917"),
    }
    assert entries[0].what == "Contact Datu Ali (Barangay official)"


def test_every_registry_record_keeps_a_history_on_its_page(client):
    admin = factories.user("administrator")
    client.force_login(admin)
    assessment = factories.assessment()
    assessment.submit()
    client.post(reverse("assessments:return", args=[assessment.pk]), {"reason": "Add numbers"})
    engagement = factories.engagement(follow_up_on="2026-02-01")
    client.post(reverse("coordination:engagement_close", args=[engagement.pk]), {"outcome": "Done"})
    partner = engagement.partner
    client.post(
        reverse("coordination:partner_edit", args=[partner.pk]),
        {"name": partner.name, "kind": "barmm", "is_active": ""},
    )

    for record, expected in (
        (assessment, ("Status", "Draft")),
        (engagement, ("Status", "Completed")),
        (partner, ("Kind", "BARMM ministry or office")),
    ):
        html = client.get(record.get_absolute_url()).content.decode()
        field, after = expected
        assert f'<span class="changed">{field}</span>' in html and f"<ins>{after}</ins>" in html
    need = assessment.needs.get()
    need.beneficiaries = 40
    need.save()
    assert any(e.what.startswith("Need") for e in entries_of(assessment))


def test_each_edit_adds_one_history_row(client):
    """The growth the bench measures in bytes: one row per save that changed something."""
    c = factories.community(population=10)
    client.force_login(factories.user("encoder"))
    before = LogEntry.objects.count()
    for population in (11, 12, 12, 13):  # one save changes nothing
        data = factories.form_data(CommunityForm(instance=c), population=population)
        client.post(reverse("communities:edit", args=[c.pk]), data)
        c.refresh_from_db()
    assert LogEntry.objects.count() - before == 3


def test_archive_and_restore_read_as_such_in_the_history(client):
    c = factories.community()
    client.force_login(factories.user("administrator"))
    client.post(reverse("communities:archive", args=[c.pk]), {"reason": "Registered twice"})
    client.post(reverse("communities:restore", args=[c.pk]))
    restored, archived = entries_of(c)[:2]
    assert (archived.action, changes_of(archived)) == (
        "archived",
        {"Reason": ("", "Registered twice")},
    )
    assert (restored.action, restored.changes) == ("restored", [])
