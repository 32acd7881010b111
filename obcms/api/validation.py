"""Writes through the API are validated by the page's own form, so the API accepts exactly the
records the pages accept: the form's rules (cleaning, choices, the barangay in its municipality)
and the model's ``full_clean()`` (``clean()``, constraints), with the same messages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.forms.models import model_to_dict
from rest_framework import serializers

from obcms.db.columns import ColumnLimit


def _form_value(value: object) -> object:
    """A validated serializer value as a bound form expects it (records by primary key)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, models.QuerySet)):
        return [_form_value(item) for item in value]
    return value


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if name == forms.forms.NON_FIELD_ERRORS else name): list(messages)
        for name, messages in form.errors.items()
    }


def error_fields(error: ValidationError, field: str) -> dict[str, list[str]]:
    """A model's ValidationError by field, for the API's errors; one not tied to a field
    (a state: "only a draft can be submitted") under ``field``."""
    if not hasattr(error, "error_dict"):
        return {field: error.messages}
    return {
        ("non_field_errors" if name == forms.forms.NON_FIELD_ERRORS else name): messages
        for name, messages in error.message_dict.items()
    }


class DescribedSerializer(serializers.ModelSerializer):
    """Every field carries a description in the schema: the model's help text, else its
    verbose name ("School within reach"), so no field of the schema goes undescribed. A number
    capped at what its column holds (obcms/db/columns.py) is refused with the pages' message:
    DRF makes the model's validator the field's ``max_value``, with a message of its own."""

    def build_field(self, field_name, info, model_class, nested_depth):
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        try:
            model_field = model_class._meta.get_field(field_name)
        except FieldDoesNotExist:  # a property or method: the subclass describes it
            return field_class, kwargs
        if not kwargs.get("help_text"):
            label = str(getattr(model_field, "verbose_name", field_name))
            kwargs["help_text"] = label[:1].upper() + label[1:] + "."
        for validator in getattr(model_field, "validators", ()):
            if isinstance(validator, ColumnLimit) and "max_value" in kwargs:
                kwargs["error_messages"] = {
                    **kwargs.get("error_messages", {}),
                    "max_value": validator.message,
                }
        return field_class, kwargs


class FormValidatedSerializer(DescribedSerializer):
    """A ModelSerializer whose ``Meta.form`` (the page's ModelForm) validates and saves.

    DRF checks types first (so the schema's types hold); then the form gets the record's current
    values with the request's on top (a PATCH changes only what it names), runs exactly as on
    the page, and its errors come back field by field. Fields the form does not edit (the
    community of a new assessment) are set on the record before the form's model validation
    sees it; ``save(created_by=...)`` keywords likewise.
    """

    bound_form: forms.ModelForm | None = None

    def validate(self, attrs: dict) -> dict:
        form_class = self.Meta.form
        instance = self.instance if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            if name not in form_class.base_fields:
                setattr(instance, name, value)
        data = model_to_dict(instance, fields=list(form_class.base_fields))
        data.update({name: v for name, v in attrs.items() if name in form_class.base_fields})
        form = form_class(
            data={name: _form_value(value) for name, value in data.items()}, instance=instance
        )
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        self.bound_form = form
        return attrs

    def create(self, validated_data: dict) -> models.Model:
        return self._save(validated_data)

    def update(self, instance: models.Model, validated_data: dict) -> models.Model:
        return self._save(validated_data)

    def _save(self, validated_data: dict) -> models.Model:
        for name, value in validated_data.items():
            if name not in self.Meta.form.base_fields:
                setattr(self.bound_form.instance, name, value)
        return self.bound_form.save()
