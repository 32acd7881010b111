"""What every list page does the same way: filters declared once per record type (django-filter),
current records unless the "archived" filter says otherwise, columns sorted by a whitelisted
name, and pages of 50 whose links keep every filter (``{% query_with %}`` in templatetags/lists).

Unknown or malformed filter values are ignored, never an error page: django-filter filters with
the values that are valid and leaves the others out.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Mapping

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import F, Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from obcms.db.shared_cache import forget, remembered
from obcms.geography.loading import places_loaded
from obcms.records import figures
from obcms.records.archive import ARCHIVE_STATES

PAGE_SIZE = 50
SORT_PARAM = "sort"


def is_id(value: str) -> bool:
    """A database id as a form or query sends it: ASCII digits within a bigint ("²" is a digit
    to ``str.isdigit`` that ``int`` refuses; more than 18 digits overflows PostgreSQL)."""
    return value.isascii() and value.isdigit() and len(value) <= 18


class PlainSelect(forms.Select):
    """A <select> rendered in Python. Django renders each option through a template, about a
    tenth of a millisecond apiece; the list pages show some fifty on every request."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f"{start} selected{end}" if key in chosen else f"{start}{end}"
            for key, start, end in self.option_html()
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), mark_safe(options))  # noqa: S308

    def option_html(self) -> list[tuple[str, str, str]]:
        """Each option as (its value, its HTML up to where "selected" goes, the rest), escaped
        once: for the short lists of places and groups, once until one of them changes."""
        if not isinstance(self.choices, ModelChoiceIterator):
            return _options(self.choices)
        field = self.choices.field
        empty = _options([("", field.empty_label)]) if field.empty_label is not None else []
        queryset = field.queryset
        if queryset.model._meta.label not in CHOICE_MODELS:
            return empty + _options((obj.pk, field.label_from_instance(obj)) for obj in queryset)
        # One ordinary query: ModelChoiceIterator uses ``.iterator()``, which on PostgreSQL
        # costs a server-side cursor (DECLARE, FETCH, CLOSE) per select.
        sql, params = queryset.query.sql_with_params()
        # "html": the options as HTML, not the (value, label) pairs an older release kept.
        key = hashlib.sha256(f"html{type(field).__qualname__}{sql}{params}".encode()).hexdigest()
        options = remembered(
            CHOICES,
            key,
            lambda: _options((obj.pk, field.label_from_instance(obj)) for obj in queryset),
        )
        return empty + options


def _options(choices: Iterable[tuple[object, object]]) -> list[tuple[str, str, str]]:
    return [
        (str(key), f'<option value="{escaped(key)}"', f">{escaped(label)}</option>")
        for key, label in choices
    ]


# The short lists behind the lists' selects (regions, provinces, groups) are remembered
# between requests in the shared cache (obcms/db/shared_cache.py) and forgotten when one of
# them changes: saved or deleted one by one (post_save, post_delete) or loaded in bulk (the
# places loader). Named here, not found at run time, so every process forgets them alike.
CHOICES = "choices"
CHOICE_MODELS = frozenset(
    {"geography.Region", "geography.Province", "communities.EthnolinguisticGroup"}
)


@receiver(post_save)
@receiver(post_delete)
def forget_choices(sender: type[Model], **kwargs: object) -> None:
    if sender._meta.label in CHOICE_MODELS:
        forget(CHOICES)


@receiver(places_loaded)
def forget_places(**kwargs: object) -> None:
    forget(CHOICES)


class SortFilter(django_filters.OrderingFilter):
    """``?sort=population`` or ``?sort=-population``: unknown rows (NULL) last either way, and
    the primary key last so that pages never overlap."""

    def filter(self, queryset: QuerySet, value: list[str]) -> QuerySet:
        if not value:
            return queryset
        ordering = []
        for param in value:
            if not param:
                continue
            descending = param.startswith("-")
            name = self.param_map.get(param.lstrip("-"), param.lstrip("-"))
            ordering.append(
                F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
            )
        return queryset.order_by(*ordering, "pk") if ordering else queryset


class RecordFilterSet(django_filters.FilterSet):
    """The base of every list's filters: current records unless ``archived`` asks for the
    archived ones (or both). Always bound, so the archive rule holds with no filter given."""

    archived = django_filters.ChoiceFilter(
        label="Records",
        choices=ARCHIVE_STATES[1:],
        empty_label=ARCHIVE_STATES[0][1],
        method="by_archive_state",
        widget=PlainSelect,
    )

    def __init__(self, data: Mapping | None = None, *args: object, **kwargs: object) -> None:
        super().__init__(data if data is not None else {}, *args, **kwargs)

    def by_archive_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied first, in filter_queryset, also when empty

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.in_state(self.form.cleaned_data.get("archived") or "")
        return super().filter_queryset(queryset)

    @property
    def sorted(self) -> bool:
        """Whether the user chose a column to sort by (else the list's own order applies)."""
        return bool(self.is_valid() and self.form.cleaned_data.get(SORT_PARAM))

    def as_query(self) -> dict[str, str]:
        """The valid filters as plain strings, to store with an export or put in a link."""
        self.errors  # noqa: B018 (validates)
        query = {}
        for name, value in getattr(self.form, "cleaned_data", {}).items():
            if value in ("", None, False, [], ()):
                continue
            if isinstance(value, Model):
                value = value.pk
            elif isinstance(value, list | tuple):
                value = ",".join(str(v) for v in value)
            query[name] = str(value)
        return query


def escaped(value: object) -> str:
    """``conditional_escape(value)`` as a plain string: HTML marked safe as it is, anything
    else through ``html.escape``. The same text, without the lazy-argument check that Django
    wraps each call in: a list page escapes some eight hundred values."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def html_rows(row: str, values: Iterable[tuple]) -> SafeString:
    """A table's rows from one ``format_html`` pattern, each value escaped unless marked safe:
    fifty rows through the template language cost a list page more than all its queries
    (issue 19); the same HTML from Python costs a tenth."""
    return mark_safe(  # noqa: S308 (every value escaped)
        "\n".join(row.format(*map(escaped, each)) for each in values)
    )


ARCHIVED_ROW = mark_safe(' class="archived"')
ARCHIVED_BADGE = mark_safe(' <span class="badge">archived</span>')


def page_of(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int = PAGE_SIZE,
    count_from: QuerySet | None = None,
    count: int | None = None,
) -> Page:
    """The requested page; a page number out of range or not a number gives the nearest one.

    ``count_from``: the same rows without the joins the page's columns need (the filtered
    model queryset under a ``values_list``), so that counting them does not join every
    barangay and region to each row: the count is the list's costliest query. ``count``: the
    number of rows, when the page has counted them already (with its totals). A registry
    record's count is remembered until one of them changes (obcms/records/figures.py)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    elif count_from is not None:  # Paginator.count is a cached property
        if count_from.model._meta.app_label in figures.SOURCE_APPS:
            paginator.count = figures.counted(count_from)
        else:
            paginator.count = count_from.count()
    return paginator.get_page(request.GET.get("page"))
