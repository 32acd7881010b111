"""The base of every ModelForm in obcms: its multiple choices take an id too large for the
records' key column as an invalid choice ("Select a valid choice"), on the form.

SQLite cannot bind an integer beyond 64 bits, and Django guards only an integer field's own
lookups (``pk=``) against that since 5.0, not ``pk__in=``, the query a ModelMultipleChoiceField
checks its choices with: ``partners=99999999999999999999`` raised OverflowError there, which
NumberRangeMiddleware answers with a bare 400 page and the person's input lost. PostgreSQL
compares such a number as numeric and finds nothing, so the form said "Select a valid choice"
there already; now both databases say it, before any query. (A single choice,
ModelChoiceField, asks with ``pk=`` and is refused alike on both already.)
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from obcms.db.columns import holds


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value: Iterable[object]) -> models.QuerySet:
        if isinstance(value, list | tuple | set | frozenset):
            opts = self.queryset.model._meta
            key = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
            for choice in value:
                if not holds(key, choice, self.queryset.db):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": choice},
                    )
        return super()._check_values(value)


def formfield(db_field: models.Field, **kwargs: object) -> forms.Field | None:
    """ModelForm's ``formfield_callback``: Django's form fields, with the multiple choice above."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    return db_field.formfield(**kwargs)


class ModelFormMetaclass(forms.models.ModelFormMetaclass):
    """Gives each form's own ``Meta`` the callback above unless it names one: Django reads
    ``Meta.formfield_callback`` from the form's own Meta only, not from a base form's."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, object]) -> type:
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(formfield)
        return super().__new__(mcs, name, bases, attrs)


class ModelForm(forms.ModelForm, metaclass=ModelFormMetaclass):
    """Subclass this, not ``django.forms.ModelForm`` (tests/test_choice_limits.py checks)."""
