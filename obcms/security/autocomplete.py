"""The admin's autocomplete fields, shown again with a value that is no id.

A form sent with ``communities=²`` is refused with a field error, then shown again with the
value sent; Django's autocomplete widget looks that value up as an id to show its label, and
the lookup raises ValueError: a 500 instead of the form error (and, on SQLite, OverflowError
for an id beyond 64 bits). These widgets leave out the values the target field refuses, and
ids its column cannot hold. Every admin with ``autocomplete_fields`` takes the mixin.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Field
from django.forms import Field as FormField
from django.http import HttpRequest

from obcms.db.columns import holds


class _ValidValuesOnly:
    field: Field

    def optgroups(self, name: str, value: list, attr: dict | None = None) -> list:
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        using = self.db or router.db_for_read(remote.model)
        valid = []
        for candidate in value:
            try:
                target.get_prep_value(target.to_python(candidate))
            except (ValueError, TypeError, ValidationError):
                continue
            if holds(target, candidate, using):  # else no record, and SQLite cannot bind it
                valid.append(candidate)
        return super().optgroups(name, valid, attr)


class ValidAutocompleteSelect(_ValidValuesOnly, AutocompleteSelect):
    pass


class ValidAutocompleteSelectMultiple(_ValidValuesOnly, AutocompleteSelectMultiple):
    pass


class AutocompleteAdminMixin(admin.options.BaseModelAdmin):
    """``autocomplete_fields`` with the widgets above (for a ModelAdmin or an inline)."""

    def formfield_for_foreignkey(
        self, db_field: Field, request: HttpRequest, **kwargs: object
    ) -> FormField | None:
        self._valid_widget(db_field, request, kwargs, ValidAutocompleteSelect)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: Field, request: HttpRequest, **kwargs: object
    ) -> FormField | None:
        self._valid_widget(db_field, request, kwargs, ValidAutocompleteSelectMultiple)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _valid_widget(
        self, db_field: Field, request: HttpRequest, kwargs: dict, widget: type
    ) -> None:
        """Put ``widget`` in ``kwargs`` where the admin would put its autocomplete widget."""
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = widget(db_field, self.admin_site, using=kwargs.get("using"))
