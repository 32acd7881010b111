"""A record id too large for any key (``99999999999999999999``) in a form's choice field is
"Select a valid choice" on that field, with the rest of what the person typed kept, on SQLite
(the unit tier, which cannot bind an integer beyond 64 bits) as on PostgreSQL (the integration
tier): obcms/records/modelforms.py. Not a bare 400 page from NumberRangeMiddleware."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from tests.support import factories

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def _community_edit() -> str:
    return reverse("communities:edit", args=[factories.community().pk])


PAGES = {
    "community edit": _community_edit,
    "community new": lambda: reverse("communities:create"),
    "policy new": lambda: reverse("policies:create"),
    "PPA new": lambda: reverse("ppas:create"),
    "meeting new": lambda: reverse("meetings:meeting_create"),
}


@pytest.mark.parametrize("page", PAGES)
def test_a_huge_id_in_a_choice_field_is_an_invalid_choice_on_the_form(client, page):
    client.force_login(factories.user("encoder"))
    factories.community()  # something to choose
    url = PAGES[page]()
    form = client.get(url).context["form"]
    choices = [
        name for name, field in form.fields.items() if isinstance(field, forms.ModelChoiceField)
    ]
    assert choices, page
    data = factories.form_data(form)
    for name in choices:
        data[form.add_prefix(name)] = HUGE
    typed = next(n for n, f in form.fields.items() if isinstance(f, forms.CharField))
    data[form.add_prefix(typed)] = "What the person typed"

    response = client.post(url, data)

    assert response.status_code == 200, page
    shown = response.context["form"]
    for name in choices:
        assert "Select a valid choice" in " ".join(shown.errors.get(name, [])), (page, name)
    assert shown[typed].value() == "What the person typed"
    assert "What the person typed" in response.content.decode()


def test_every_model_form_in_obcms_is_built_on_the_shared_base():
    import obcms.urls  # noqa: F401 (imports every view, so every form)
    from obcms.records.modelforms import ModelForm, ModelMultipleChoiceField

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    ours = [c for c in subclasses(forms.ModelForm) if c.__module__.startswith("obcms.")]
    assert len(ours) > 5
    for form in ours:
        assert issubclass(form, ModelForm), form
        for name, field in form.base_fields.items():
            if isinstance(field, forms.ModelMultipleChoiceField):
                assert isinstance(field, ModelMultipleChoiceField), (form, name)


def test_the_admin_takes_a_huge_id_in_a_multiple_choice_as_an_invalid_choice(client):
    client.force_login(factories.user("administrator"))
    meeting = factories.meeting()
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    data = factories.form_data(client.get(url).context["adminform"].form, partners=[HUGE])
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Select a valid choice" in " ".join(errors["partners"])
