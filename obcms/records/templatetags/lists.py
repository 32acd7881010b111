"""Links that keep a list's filters: ``{% query_with page=3 %}`` and ``{% sort_header %}``.

Query strings are built by QueryDict.urlencode, so a value with ``&``, ``#``, ``+``, spaces or
letters such as ``ñ`` comes back on the next page exactly as typed.
"""

from __future__ import annotations

from django import template

from obcms.records.listing import SORT_PARAM

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with ``changes`` applied (None removes a key)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    return query.urlencode()


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(context: template.Context, label: str, param: str, numeric: bool = False) -> dict:
    """A column heading that sorts by ``param``; a second click reverses it. Sorting starts
    again at page 1."""
    current = context["request"].GET.get(SORT_PARAM, "")
    direction = {param: "ascending", f"-{param}": "descending"}.get(current, "")
    following = f"-{param}" if current == param else param
    query = context["request"].GET.copy()
    query[SORT_PARAM] = following
    query.pop("page", None)
    return {"label": label, "query": query.urlencode(), "direction": direction, "numeric": numeric}
